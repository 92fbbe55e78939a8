using System.IO.Compression;
using System.Text;

namespace STEM.Recommenders.Data;

/// <summary>
/// Reads RFC 4180 delimited text (CSV, TSV) into a <see cref="DataTable"/>: quoted fields with
/// delimiters, doubled quotes and line breaks; an optional header; gzip when the name ends in
/// ".gz". Empty fields become missing values.
/// </summary>
public sealed class CsvTableReader : ITableReader
{
    private const int ChunkSize = 1 << 16;

    /// <summary>Options used when the reader is picked by extension; TSV files get <see cref="CsvReadOptions.Tsv"/>.</summary>
    public CsvReadOptions Options { get; init; } = CsvReadOptions.Csv;

    /// <inheritdoc />
    public bool CanRead(string path)
    {
        var name = StripGzip(path);
        return name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadAsync(path, OptionsFor(path, request), cancellationToken);
    }

    private CsvReadOptions OptionsFor(string path, TableReadRequest? request)
    {
        var options = StripGzip(path).EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) && ReferenceEquals(Options, CsvReadOptions.Csv)
            ? CsvReadOptions.Tsv
            : Options;
        return request?.Columns is { } columns ? options with { Columns = columns } : options;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<DataTable> ReadChunksAsync(
        string path,
        TableReadRequest? request = null,
        int chunkRows = TableReadRequest.DefaultChunkRows,
        CancellationToken cancellationToken = default) =>
        ReadChunksAsync(path, OptionsFor(path, request), chunkRows, cancellationToken);

    /// <summary>Streams a file with explicit options in chunks of about <paramref name="chunkRows"/> rows.</summary>
    /// <exception cref="DataFormatException">The file is missing, empty or malformed; the message names file, line and column.</exception>
    public static async IAsyncEnumerable<DataTable> ReadChunksAsync(
        string path,
        CsvReadOptions options,
        int chunkRows = TableReadRequest.DefaultChunkRows,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        using var text = OpenText(path);
        await foreach (var chunk in ReadChunksAsync(text, path, options, chunkRows, cancellationToken).ConfigureAwait(false))
        {
            yield return chunk;
        }
    }

    /// <summary>Reads a file with explicit options.</summary>
    /// <exception cref="DataFormatException">The file is missing, empty or malformed; the message names file, line and column.</exception>
    public static async Task<DataTable> ReadAsync(string path, CsvReadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        using var text = OpenText(path);
        return await ReadAsync(text, path, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads delimited text from a reader; <paramref name="sourceName"/> is used in error messages.</summary>
    public static async Task<DataTable> ReadAsync(TextReader reader, string sourceName, CsvReadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(options);

        // With no chunk limit the one chunk is the whole table.
        await foreach (var table in ReadChunksAsync(reader, sourceName, options, int.MaxValue, cancellationToken).ConfigureAwait(false))
        {
            return table;
        }

        throw new InvalidOperationException("A read always yields a first chunk.");
    }

    /// <summary>Reads delimited text held in a string (tests, small inline data).</summary>
    public static DataTable Parse(string text, string sourceName, CsvReadOptions? options = null)
    {
        using var reader = new StringReader(text);
        return ReadAsync(reader, sourceName, options ?? CsvReadOptions.Csv).GetAwaiter().GetResult();
    }

    /// <summary>
    /// UTF-8 that decodes invalid bytes to <see cref="CsvRecordParser.InvalidUtf8"/>, which the parser
    /// reports with its line and column (a throwing decoder could not say where). A UTF-8 byte-order
    /// mark is skipped; CRLF and LF both end a line.
    /// </summary>
    private static readonly Encoding Utf8MarkingInvalid = Encoding.GetEncoding(
        "utf-8", EncoderFallback.ExceptionFallback, new DecoderReplacementFallback(CsvRecordParser.InvalidUtf8.ToString()));

    /// <summary>The file as text (gunzipped when the name ends in ".gz"); the reader owns the file.</summary>
    private static StreamReader OpenText(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "file not found");
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: false);
        // (Inflating on a thread of its own, ahead of the parser, was tried: no faster on 2 cores.)
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GzipEndCheck(path, file) : file;
        return new StreamReader(stream, Utf8MarkingInvalid, detectEncodingFromByteOrderMarks: true, ChunkSize);
    }

    /// <summary>
    /// Parses text in chunks of at least <paramref name="chunkRows"/> rows (a chunk ends where the
    /// buffer that passed the limit ends). The first chunk is yielded even with no rows (it carries
    /// the columns); no later chunk is empty.
    /// </summary>
    private static async IAsyncEnumerable<DataTable> ReadChunksAsync(
        TextReader reader,
        string sourceName,
        CsvReadOptions options,
        int chunkRows,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var builder = new Builder(sourceName, options, rowMajor: chunkRows == int.MaxValue);
        var parser = new CsvRecordParser(sourceName, options, builder.Add);
        var buffer = new char[ChunkSize];
        var yielded = false;
        while (true)
        {
            int read;
            try
            {
                // Synchronous on purpose: a streamed read already runs ahead on its own thread
                // (Prefetch), and awaiting each 64 KB block hopped threads and kept the thread pool
                // spinning — more than half the reader's CPU time, measured.
                cancellationToken.ThrowIfCancellationRequested();
                read = reader.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(sourceName, $"not a valid gzip stream ({e.Message})");
            }

            if (read == 0)
            {
                break;
            }

            parser.Feed(buffer.AsSpan(0, read));
            if (builder.BufferedRows >= chunkRows)
            {
                yielded = true;
                yield return builder.TakeChunk();
            }
        }

        parser.Complete();
        if (!yielded || builder.BufferedRows > 0)
        {
            yield return builder.TakeChunk();
        }
    }

    private static string StripGzip(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;

    private sealed class Builder
    {
        /// <summary>
        /// Distinct values per column before its dictionary starts again: an id space with no bound
        /// (hashed features) must not grow one dictionary without end. Memos keyed by a dictionary
        /// start again with it.
        /// </summary>
        private const int MaxDictionaryEntries = 1 << 22;

        private readonly string _path;
        private readonly CsvReadOptions _options;
        private long[] _lines = new long[1024];
        private int _rows;
        private string[]? _header;
        private int[] _keep = Array.Empty<int>();
        private ValueDictionary[] _dictionaries = Array.Empty<ValueDictionary>();
        private int[][] _codes = Array.Empty<int[]>();

        /// <summary>
        /// A whole file's codes, row-major (row r's at <c>r * kept columns</c>), or null for codes per
        /// column. A table read whole is usually a side table that a log joins in random order, and its
        /// columns are then read together per joined row, by every field of the same side row: one or
        /// two cache lines per row instead of one per column (26 columns of a user table of millions
        /// of rows were most of the encoding time of a 10 M-row log). Streamed chunks keep a column's
        /// codes together: they are read in row order, and recorded per column.
        /// </summary>
        private int[]? _matrix;

        public Builder(string path, CsvReadOptions options, bool rowMajor)
        {
            _path = path;
            _options = options;
            _matrix = rowMajor ? [] : null;
            if (!options.HasHeader)
            {
                if (options.ColumnNames is not { Count: > 0 } names)
                {
                    throw new ArgumentException("ColumnNames must be given when the file has no header.", nameof(options));
                }

                SetHeader(names.ToArray());
            }
        }

        public void Add(CsvRecord fields, long line)
        {
            if (_header is null)
            {
                var names = new string[fields.Count];
                for (var i = 0; i < fields.Count; i++)
                {
                    names[i] = fields.StringAt(i) ?? throw new DataFormatException(new SourceLocation(_path, line, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), "empty column name in the header");
                }

                SetHeader(names);
                return;
            }

            if (fields.Count != _header.Length)
            {
                throw new DataFormatException(
                    new SourceLocation(_path, line, null),
                    $"expected {_header.Length} fields (as in the {(_options.HasHeader ? "header" : "column list")}) but found {fields.Count}");
            }

            if (_rows == _lines.Length)
            {
                Grow();
            }

            if (_matrix is { } matrix)
            {
                var at = _rows * _keep.Length;
                for (var k = 0; k < _keep.Length; k++)
                {
                    var value = fields[_keep[k]];
                    matrix[at + k] = value.IsEmpty ? -1 : _dictionaries[k].GetOrAdd(value);
                }
            }
            else
            {
                for (var k = 0; k < _keep.Length; k++)
                {
                    var value = fields[_keep[k]];
                    _codes[k][_rows] = value.IsEmpty ? -1 : _dictionaries[k].GetOrAdd(value);
                }
            }

            _lines[_rows++] = line;
        }

        private void Grow()
        {
            var capacity = _rows * 2;
            Array.Resize(ref _lines, capacity);
            if (_matrix is not null && (long)capacity * _keep.Length > Array.MaxLength)
            {
                // More codes than one array holds: per column from here on.
                _codes = new int[_keep.Length][];
                for (var k = 0; k < _keep.Length; k++)
                {
                    _codes[k] = new int[capacity];
                    for (var r = 0; r < _rows; r++)
                    {
                        _codes[k][r] = _matrix[(r * _keep.Length) + k];
                    }
                }

                _matrix = null;
            }
            else if (_matrix is not null)
            {
                Array.Resize(ref _matrix, capacity * _keep.Length);
            }
            else
            {
                for (var k = 0; k < _codes.Length; k++)
                {
                    Array.Resize(ref _codes[k], capacity);
                }
            }
        }

        public int BufferedRows => _rows;

        /// <summary>The rows buffered so far as a table; the buffers start again empty.</summary>
        public DataTable TakeChunk()
        {
            if (_header is null)
            {
                throw new DataFormatException(_path, "the file is empty (no header and no rows)");
            }

            var lines = _lines.AsSpan(0, _rows).ToArray();
            var columns = new DataColumn[_keep.Length];
            var matrix = _matrix?.AsSpan(0, _rows * _keep.Length).ToArray();
            for (var k = 0; k < _keep.Length; k++)
            {
                columns[k] = matrix is not null
                    ? new DataColumn(_header[_keep[k]], _path, _dictionaries[k], matrix, _keep.Length, k, _rows, lines, null)
                    : new DataColumn(_header[_keep[k]], _path, _dictionaries[k], _codes[k].AsSpan(0, _rows).ToArray(), lines, null);
                if (_dictionaries[k].Count > MaxDictionaryEntries)
                {
                    _dictionaries[k] = new ValueDictionary();
                }
            }

            _rows = 0;
            return new DataTable(_path, columns, lines);
        }

        private void SetHeader(string[] names)
        {
            _header = names;
            if (_options.Columns is { } wanted)
            {
                var positions = new List<int>();
                foreach (var name in wanted)
                {
                    var at = Array.IndexOf(names, name);
                    if (at < 0)
                    {
                        throw new DataFormatException(new SourceLocation(_path, 1, name), $"column '{name}' not found; the file has: {string.Join(", ", names)}");
                    }

                    positions.Add(at);
                }

                _keep = positions.ToArray();
            }
            else
            {
                _keep = Enumerable.Range(0, names.Length).ToArray();
            }

            _dictionaries = _keep.Select(_ => new ValueDictionary()).ToArray();
            if (_matrix is not null)
            {
                _matrix = new int[_lines.Length * _keep.Length];
            }
            else
            {
                _codes = _keep.Select(_ => new int[_lines.Length]).ToArray();
            }
        }
    }
}
