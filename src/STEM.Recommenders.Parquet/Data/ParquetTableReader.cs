using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Parquet;
using Parquet.Schema;

namespace STEM.Recommenders.Data;

/// <summary>
/// Reads Apache Parquet files (<c>*.parquet</c>) into a <see cref="DataTable"/> with Parquet.Net,
/// row group after row group, reading only the requested columns.
/// </summary>
/// <remarks>
/// <para>
/// Columns are dictionary-encoded: each distinct value of a row group (told apart by its bits) is
/// kept once and rows keep its code. Numbers stay typed — a numeric feature reads them as they are,
/// never formatted and parsed back — and have the text a CSV file would hold for them (invariant
/// culture), made only where a categorical feature or a label asks for it, so the same data encodes
/// identically from either format:
/// </para>
/// <list type="bullet">
/// <item>integers (8 to 64 bits; unsigned 64-bit as text, exact) as int64: text <c>42</c>, <c>-7</c>;</item>
/// <item><see cref="double"/> as itself, text in round-trip ("R") format: <c>0.1</c>, <c>1E-07</c>,
/// <c>20</c>; <see cref="float"/> and <see cref="Half"/> as the number their own round-trip text
/// denotes (0.1f is 0.1), which is what a CSV export of them, or a caller sending them as text to a
/// predictor, gives; decimals as text with their scale: <c>1.50</c>;</item>
/// <item>booleans as the integers <c>1</c> and <c>0</c>, which are the default positive and negative
/// label values of a task;</item>
/// <item>dates as <c>yyyy-MM-dd</c>; timestamps as ISO 8601 <c>yyyy-MM-ddTHH:mm:ss.FFFFFFF</c>,
/// followed by <c>Z</c> when the column is adjusted to UTC; times of day as
/// <c>HH:mm:ss.FFFFFFF</c>;</item>
/// <item>UUIDs as <c>00000000-0000-0000-0000-000000000000</c>; other fixed-length binary as
/// lower-case hexadecimal; byte arrays without a string annotation as UTF-8 text;</item>
/// <item>nulls, and empty strings (as an empty CSV field is), as missing values.</item>
/// </list>
/// <para>
/// Only flat columns can be read; a list, map or struct column is an error unless the request
/// leaves it out. <see cref="SourceLocation.Line"/> is the 1-based row number in the file.
/// </para>
/// </remarks>
public sealed class ParquetTableReader : ITableReader
{
    private const int BufferSize = 1 << 16;
    private const string IsoDate = "yyyy-MM-dd";
    private const string IsoDateTime = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF";
    private const string IsoTime = "HH:mm:ss.FFFFFFF";

    /// <inheritdoc />
    public bool CanRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    /// <exception cref="DataFormatException">
    /// The file is missing, is not Parquet, is corrupt, lacks a requested column or has a list, map
    /// or struct column among those read; the message names the file and, where it applies, the column.
    /// </exception>
    public async Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default)
    {
        var (stream, reader) = await OpenAsync(path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await using (reader.ConfigureAwait(false))
            {
                return await ReadAsync(reader, path, request?.Columns, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>Each row group is one chunk (row groups are the unit Parquet writers size for memory), whatever <paramref name="chunkRows"/> says.</remarks>
    public async IAsyncEnumerable<DataTable> ReadChunksAsync(
        string path,
        TableReadRequest? request = null,
        int chunkRows = TableReadRequest.DefaultChunkRows,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (stream, reader) = await OpenAsync(path, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await using (reader.ConfigureAwait(false))
            {
                var fields = SelectFields(ReadSchema(reader, path), path, request?.Columns);
                long offset = 0;
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    var count = (int)reader.RowGroups[g].RowCount;
                    var columns = fields.Select(_ => new ColumnDictionary(count)).ToArray();
                    await ReadGroupAsync(reader, g, fields, columns, 0, offset, path, cancellationToken).ConfigureAwait(false);
                    if (count > 0 || g == 0)
                    {
                        yield return DataTable.FromDictionaryColumns(path, Named(fields, columns), offset + 1);
                    }

                    offset += count;
                }

                if (reader.RowGroupCount == 0)
                {
                    yield return DataTable.FromDictionaryColumns(path, Named(fields, fields.Select(_ => new ColumnDictionary(0)).ToArray()));
                }
            }
        }
    }

    /// <summary>Opens a Parquet file and reads its footer; a missing or non-Parquet file is a <see cref="DataFormatException"/>.</summary>
    private static async Task<(FileStream Stream, ParquetReader Reader)> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "file not found");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        try
        {
            return (stream, await ParquetReader.CreateAsync(stream, CreateOptions(), leaveStreamOpen: true, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new DataFormatException(path, $"not a Parquet file, or its footer is damaged ({e.Message})");
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static DictionaryColumn[] Named(DataField[] fields, ColumnDictionary[] columns) =>
        fields.Select((f, c) => columns[c].ToColumn(f.Name)).ToArray();

    private static ParquetSchema ReadSchema(ParquetReader reader, string path)
    {
        try
        {
            return reader.Schema;
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            throw new DataFormatException(path, $"cannot read the Parquet schema ({e.Message})");
        }
    }

    private static async Task ReadGroupAsync(ParquetReader reader, int g, DataField[] fields, ColumnDictionary[] columns, int at, long firstRow, string path, CancellationToken cancellationToken)
    {
        var count = (int)reader.RowGroups[g].RowCount;
        for (var c = 0; c < fields.Length; c++)
        {
            try
            {
                await ReadColumnAsync(reader.RowGroups[g], fields[c], columns[c], at, count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsReadFailure(e))
            {
                throw new DataFormatException(
                    new SourceLocation(path, firstRow + 1L, fields[c].Name),
                    $"cannot read row group {g + 1} of {reader.RowGroupCount}; the file is damaged or uses an encoding Parquet.Net does not support ({e.Message})");
            }
        }
    }

    private static async Task<DataTable> ReadAsync(ParquetReader reader, string path, IReadOnlyCollection<string>? wanted, CancellationToken cancellationToken)
    {
        var fields = SelectFields(ReadSchema(reader, path), path, wanted);
        long total = 0;
        foreach (var group in reader.RowGroups)
        {
            total += group.RowCount;
        }

        if (total > Array.MaxLength)
        {
            throw new DataFormatException(path, $"{total} rows are more than one table can hold ({Array.MaxLength}); split the file");
        }

        var columns = fields.Select(_ => new ColumnDictionary((int)total)).ToArray();
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            await ReadGroupAsync(reader, g, fields, columns, offset, offset, path, cancellationToken).ConfigureAwait(false);
            offset += (int)reader.RowGroups[g].RowCount;
        }

        return DataTable.FromDictionaryColumns(path, Named(fields, columns));
    }

    private static DataField[] SelectFields(ParquetSchema schema, string path, IReadOnlyCollection<string>? wanted)
    {
        var topLevel = schema.Fields;
        if (wanted is null)
        {
            return topLevel.Select(f => AsFlat(f, path, hint: true)).ToArray();
        }

        var byName = new Dictionary<string, Field>(StringComparer.Ordinal);
        foreach (var field in topLevel)
        {
            byName.TryAdd(field.Name, field);
        }

        var selected = new DataField[wanted.Count];
        var i = 0;
        foreach (var name in wanted)
        {
            if (!byName.TryGetValue(name, out var field))
            {
                throw new DataFormatException(
                    new SourceLocation(path, null, name),
                    $"column '{name}' not found; the file has: {string.Join(", ", topLevel.Select(f => f.Name))}");
            }

            selected[i++] = AsFlat(field, path, hint: false);
        }

        return selected;
    }

    private static DataField AsFlat(Field field, string path, bool hint)
    {
        if (field is DataField { IsArray: false, MaxRepetitionLevel: 0 } data && IsSupported(data))
        {
            return data;
        }

        var kind = field switch
        {
            ListField => "a list",
            MapField => "a map",
            StructField => "a struct",
            DataField { IsArray: true } => "a repeated field",
            DataField other => $"of an unsupported type ({other.ClrType.Name})",
            _ => "not a flat column",
        };

        // Without a request every column is read, so point at the way to skip this one.
        var advice = hint ? "; list the columns you need in TableReadRequest.Columns to leave it out" : string.Empty;
        throw new DataFormatException(
            new SourceLocation(path, null, field.Name),
            $"column '{field.Name}' is {kind}; only flat columns of numbers, strings, booleans, dates and times can be read{advice}");
    }

    private static bool IsSupported(DataField field)
    {
        var t = field.ClrType;
        return t == typeof(bool) || t == typeof(sbyte) || t == typeof(byte) || t == typeof(short) || t == typeof(ushort)
            || t == typeof(int) || t == typeof(uint) || t == typeof(long) || t == typeof(ulong)
            || t == typeof(Half) || t == typeof(float) || t == typeof(double) || t == typeof(decimal)
            || t == typeof(DateTime) || t == typeof(DateOnly) || t == typeof(Guid)
            || t == typeof(ReadOnlyMemory<char>) || t == typeof(string)
            || t == typeof(ReadOnlyMemory<byte>) || t == typeof(byte[]);
    }

    private static ParquetOptions CreateOptions() => new()
    {
        // Writers that predate the UTF8 annotation store text as plain byte arrays; ids and
        // categories in such files must still read as text.
        TreatByteArrayAsString = true,
        UseDateOnlyTypeForDates = true,
    };

    private static bool IsReadFailure(Exception e) =>
        e is not (OperationCanceledException or DataFormatException or OutOfMemoryException);

    private static Task ReadColumnAsync(ParquetRowGroupReader group, DataField field, ColumnDictionary target, int offset, int count, CancellationToken ct)
    {
        var t = field.ClrType;
        if (field is TimeDataField time)
        {
            // TIME is stored as a count of the unit since midnight; show it as a time of day.
            return time.Precision switch
            {
                TimeUnitPrecision.Millis => ReadStructAsync<int>(group, field, target, offset, count, v => target.CodeOf(FormatTime(v * TimeSpan.TicksPerMillisecond)), ct),
                TimeUnitPrecision.Micros => ReadStructAsync<long>(group, field, target, offset, count, v => target.CodeOf(FormatTime(v * TimeSpan.TicksPerMicrosecond)), ct),
                _ => ReadStructAsync<long>(group, field, target, offset, count, v => target.CodeOf(FormatTime(v / TimeSpan.NanosecondsPerTick)), ct),
            };
        }

        if (t == typeof(ReadOnlyMemory<char>) || t == typeof(string))
        {
            return ReadStringsAsync(group, field, target, offset, count, ct);
        }

        return t switch
        {
            // Integers and floating point stay numbers (typed columns); the rest become text once per distinct value.
            _ when t == typeof(bool) => ReadStructAsync<bool>(group, field, target, offset, count, v => target.CodeOfInteger(v ? 1 : 0), ct),
            _ when t == typeof(sbyte) => ReadStructAsync<sbyte>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),
            _ when t == typeof(byte) => ReadStructAsync<byte>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),
            _ when t == typeof(short) => ReadStructAsync<short>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),
            _ when t == typeof(ushort) => ReadStructAsync<ushort>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),
            _ when t == typeof(int) => ReadStructAsync<int>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),
            _ when t == typeof(uint) => ReadStructAsync<uint>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),
            _ when t == typeof(long) => ReadStructAsync<long>(group, field, target, offset, count, v => target.CodeOfInteger(v), ct),

            // Above long.MaxValue an unsigned value has no int64 form: kept as text, exact.
            _ when t == typeof(ulong) => ReadStructAsync<ulong>(group, field, target, offset, count, v => target.CodeOf(v.ToString(CultureInfo.InvariantCulture)), ct),
            _ when t == typeof(Half) => ReadStructAsync<Half>(group, field, target, offset, count, v => target.CodeOfShortFloat(v.ToString("R", CultureInfo.InvariantCulture)), ct),
            _ when t == typeof(float) => ReadStructAsync<float>(group, field, target, offset, count, v => target.CodeOfShortFloat(v.ToString("R", CultureInfo.InvariantCulture)), ct),
            _ when t == typeof(double) => ReadStructAsync<double>(group, field, target, offset, count, target.CodeOfNumber, ct),
            _ when t == typeof(decimal) => ReadStructAsync<decimal>(group, field, target, offset, count, v => target.CodeOf(v.ToString(CultureInfo.InvariantCulture)), ct),
            _ when t == typeof(DateOnly) => ReadStructAsync<DateOnly>(group, field, target, offset, count, v => target.CodeOf(v.ToString(IsoDate, CultureInfo.InvariantCulture)), ct),
            _ when t == typeof(DateTime) => ReadStructAsync<DateTime>(group, field, target, offset, count, v => target.CodeOf(FormatDateTime(v)), ct),
            _ when t == typeof(Guid) => ReadStructAsync<Guid>(group, field, target, offset, count, v => target.CodeOf(v.ToString("D", CultureInfo.InvariantCulture)), ct),
            _ => ReadBinaryAsync(group, field, target, offset, count, ct),
        };
    }

    private static string FormatTime(long ticks) => new TimeOnly(ticks).ToString(IsoTime, CultureInfo.InvariantCulture);

    // A timestamp not adjusted to UTC is a wall-clock reading with no zone (Parquet.Net marks it
    // Local); writing an offset would invent one from the machine the data happens to be read on.
    private static string FormatDateTime(DateTime value) =>
        value.Kind == DateTimeKind.Utc
            ? value.ToString(IsoDateTime, CultureInfo.InvariantCulture) + "Z"
            : value.ToString(IsoDateTime, CultureInfo.InvariantCulture);

    private static async Task ReadStructAsync<T>(ParquetRowGroupReader group, DataField field, ColumnDictionary target, int offset, int count, Func<T, int> intern, CancellationToken ct)
        where T : unmanaged
    {
        // Each distinct value of the row group is interned once (as a number, or formatted once);
        // rows keep its code. Values are told apart by their bits, so 0.0 and -0.0, or 1.5 and 1.50
        // (decimal), stay two values.
        var codes = new Dictionary<T, int>(BitwiseComparer<T>.IsNeeded ? BitwiseComparer<T>.Instance : EqualityComparer<T>.Default);
        int CodeOf(T value)
        {
            ref var code = ref CollectionsMarshal.GetValueRefOrAddDefault(codes, value, out var exists);
            if (!exists)
            {
                code = intern(value);
            }

            return code;
        }

        if (field.IsNullable)
        {
            var values = ArrayPool<T?>.Shared.Rent(count);
            try
            {
                await group.ReadAsync<T>(field, values.AsMemory(0, count), null, ct).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    target.Codes[offset + i] = values[i] is { } value ? CodeOf(value) : -1;
                }
            }
            finally
            {
                ArrayPool<T?>.Shared.Return(values);
            }
        }
        else
        {
            var values = ArrayPool<T>.Shared.Rent(count);
            try
            {
                await group.ReadAsync<T>(field, values.AsMemory(0, count), null, ct).ConfigureAwait(false);
                for (var i = 0; i < count; i++)
                {
                    target.Codes[offset + i] = CodeOf(values[i]);
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(values);
            }
        }
    }

    private static async Task ReadStringsAsync(ParquetRowGroupReader group, DataField field, ColumnDictionary target, int offset, int count, CancellationToken ct)
    {
        var values = ArrayPool<string?>.Shared.Rent(count);
        try
        {
            await group.ReadAsync(field, values.AsMemory(0, count), null, ct).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                target.Codes[offset + i] = values[i] is { Length: > 0 } text ? target.CodeOf(text) : -1;
            }
        }
        finally
        {
            ArrayPool<string?>.Shared.Return(values, clearArray: true);
        }
    }

    private static async Task ReadBinaryAsync(ParquetRowGroupReader group, DataField field, ColumnDictionary target, int offset, int count, CancellationToken ct)
    {
        var values = new byte[]?[count];
        await group.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            target.Codes[offset + i] = values[i] is { Length: > 0 } bytes ? target.CodeOf(Convert.ToHexStringLower(bytes)) : -1;
        }
    }

    /// <summary>
    /// One column being read: its distinct values in order of first appearance — integers,
    /// floating-point numbers or texts, by the column's type — and a code per row.
    /// </summary>
    private sealed class ColumnDictionary(int rows)
    {
        private readonly Dictionary<string, int> _texts = new(StringComparer.Ordinal);
        private readonly Dictionary<long, int> _integerCodes = [];
        private readonly Dictionary<long, int> _numberCodes = [];
        private readonly List<string> _values = [];
        private readonly List<long> _integers = [];
        private readonly List<double> _numbers = [];
        private List<string>? _numberTexts;

        public int[] Codes { get; } = new int[rows];

        public int CodeOf(string text) => Intern(_texts, text, _values, text);

        public int CodeOfInteger(long value) => Intern(_integerCodes, value, _integers, value);

        public int CodeOfNumber(double value) => Intern(_numberCodes, BitConverter.DoubleToInt64Bits(value), _numbers, value);

        /// <summary>
        /// A float32 or float16 value, by its own round-trip text: its number is the double that text
        /// denotes (0.1f is 0.1, not 0.100000001…), the number a CSV export of the column, or a caller
        /// sending the value as text to a predictor, gives — so a bucket boundary fitted on it is met
        /// in serving as in training. The text stays the float's own for categorical keys.
        /// </summary>
        public int CodeOfShortFloat(string text)
        {
            var count = _numbers.Count;
            var code = CodeOfNumber(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            if (_numbers.Count > count)
            {
                (_numberTexts ??= []).Add(text);
            }

            return code;
        }

        public DictionaryColumn ToColumn(string name)
        {
            if (_integers.Count > 0)
            {
                return DictionaryColumn.OfIntegers(name, _integers, Codes);
            }

            if (_numbers.Count > 0)
            {
                var texts = _numberTexts;
                return DictionaryColumn.OfNumbers(name, _numbers, Codes, texts is null ? null : i => texts[i]);
            }

            return new DictionaryColumn(name, _values, Codes);
        }

        private static int Intern<TKey, TValue>(Dictionary<TKey, int> codes, TKey key, List<TValue> values, TValue value)
            where TKey : notnull
        {
            ref var code = ref CollectionsMarshal.GetValueRefOrAddDefault(codes, key, out var exists);
            if (!exists)
            {
                code = values.Count;
                values.Add(value);
            }

            return code;
        }
    }

    /// <summary>Equality of a value's bits (a value's text is a function of its bits, not of its numeric equality).</summary>
    private sealed class BitwiseComparer<T> : IEqualityComparer<T>
        where T : unmanaged
    {
        public static readonly BitwiseComparer<T> Instance = new();

        /// <summary>
        /// Whether numeric equality can join values of different texts: floating point (0.0 and
        /// -0.0; NaNs) and decimal (its scale). Integers, booleans, dates and UUIDs are equal only when
        /// their bits are (a timestamp column has one kind), so the default comparer serves them.
        /// </summary>
        public static bool IsNeeded { get; } = typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half) || typeof(T) == typeof(decimal);

        public bool Equals(T x, T y) => Unsafe.SizeOf<T>() switch
        {
            8 => Unsafe.As<T, long>(ref x) == Unsafe.As<T, long>(ref y),
            4 => Unsafe.As<T, int>(ref x) == Unsafe.As<T, int>(ref y),
            _ => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in x)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in y))),
        };

        public int GetHashCode(T obj)
        {
            switch (Unsafe.SizeOf<T>())
            {
                case 8:
                    return Unsafe.As<T, long>(ref obj).GetHashCode();
                case 4:
                    return Unsafe.As<T, int>(ref obj);
                default:
                    var hash = default(HashCode);
                    hash.AddBytes(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in obj)));
                    return hash.ToHashCode();
            }
        }
    }
}
