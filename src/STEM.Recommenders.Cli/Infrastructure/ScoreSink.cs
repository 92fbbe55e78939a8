using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Writes scored rows chunk by chunk, so that scoring a file of any size holds one chunk in memory:
/// the kept input columns, then one probability column per task. Parquet stores the kept columns as
/// (nullable) strings, the table's raw values, and the probabilities as float32; text is what
/// <see cref="ScoreWriter"/> writes. A failed write names <see cref="Target"/>.
/// </summary>
internal abstract class ScoreSink : IAsyncDisposable
{
    protected ScoreSink(string target, bool removesPartial)
    {
        Target = target;
        RemovesPartial = removesPartial;
    }

    /// <summary>What error messages call the output (the final file name, or stdout).</summary>
    public string Target { get; }

    private bool RemovesPartial { get; }

    private bool _failed;

    public static async Task<ScoreSink> OpenAsync(ScoreFormat format, Stream stream, string target, IReadOnlyList<string> kept, IReadOnlyList<string> scoreColumns, CancellationToken cancellationToken)
    {
        ScoreSink sink = format.IsParquet
            ? new ParquetSink(stream, target, kept, scoreColumns)
            : new TextSink(format.IsGzip ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : stream, format.Delimiter, target, true, format.IsGzip);
        await sink.GuardAsync(() => sink.StartAsync(kept, scoreColumns, cancellationToken));
        return sink;
    }

    /// <summary>CSV on a text writer (stdout), which nothing removes when it fails.</summary>
    public static async Task<ScoreSink> OpenAsync(TextWriter writer, IReadOnlyList<string> kept, IReadOnlyList<string> scoreColumns, CancellationToken cancellationToken)
    {
        var sink = new TextSink(writer, ',', "stdout");
        await sink.GuardAsync(() => sink.StartAsync(kept, scoreColumns, cancellationToken));
        return sink;
    }

    public Task WriteAsync(IReadOnlyList<DataColumn> kept, float[] probabilities, int rows, CancellationToken cancellationToken) =>
        GuardAsync(() => WriteCoreAsync(kept, probabilities, rows, cancellationToken));

    /// <summary>Flushes everything (the Parquet footer, the gzip trailer) into the underlying stream.</summary>
    public Task CompleteAsync(CancellationToken cancellationToken) => GuardAsync(() => CompleteCoreAsync(cancellationToken));

    /// <summary>Releases the writers; the underlying stream stays open (its owner closes or removes it).</summary>
    /// <remarks>
    /// After a failed write the writers' last flush (a Parquet footer, a gzip trailer) fails too on a
    /// full disk; that second error is dropped, so that the first one, which names the output, is reported.
    /// </remarks>
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        try
        {
            await DisposeCoreAsync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && _failed)
        {
            // The write that failed first is the error being reported.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not OutputWriteException)
        {
            throw new OutputWriteException(Target, e, RemovesPartial);
        }
    }

    protected abstract ValueTask DisposeCoreAsync();

    protected abstract Task StartAsync(IReadOnlyList<string> kept, IReadOnlyList<string> scoreColumns, CancellationToken cancellationToken);

    protected abstract Task WriteCoreAsync(IReadOnlyList<DataColumn> kept, float[] probabilities, int rows, CancellationToken cancellationToken);

    protected abstract Task CompleteCoreAsync(CancellationToken cancellationToken);

    private async Task GuardAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not OutputWriteException)
        {
            _failed = true;
            throw new OutputWriteException(Target, e, RemovesPartial);
        }
    }

    private sealed class TextSink : ScoreSink
    {
        private readonly TextWriter _writer;
        private readonly Stream? _compressed;
        private readonly char _delimiter;
        private readonly bool _ownsWriter;
        private bool _closed;

        public TextSink(Stream stream, char delimiter, string target, bool removesPartial, bool compressed)
            : base(target, removesPartial)
        {
            _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            _compressed = compressed ? stream : null;
            _delimiter = delimiter;
            _ownsWriter = true;
        }

        public TextSink(TextWriter writer, char delimiter, string target)
            : base(target, removesPartial: false)
        {
            _writer = writer;
            _delimiter = delimiter;
        }

        protected override Task StartAsync(IReadOnlyList<string> kept, IReadOnlyList<string> scoreColumns, CancellationToken cancellationToken) =>
            ScoreWriter.WriteHeaderAsync(_writer, _delimiter, kept, scoreColumns, cancellationToken);

        protected override Task WriteCoreAsync(IReadOnlyList<DataColumn> kept, float[] probabilities, int rows, CancellationToken cancellationToken) =>
            ScoreWriter.WriteRowsAsync(_writer, _delimiter, kept, rows == 0 ? 0 : probabilities.Length / rows, probabilities, rows, cancellationToken);

        protected override async Task CompleteCoreAsync(CancellationToken cancellationToken)
        {
            await _writer.FlushAsync(cancellationToken);
            await CloseAsync();
        }

        protected override async ValueTask DisposeCoreAsync()
        {
            try
            {
                await CloseAsync();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // Only reached after a failed write, whose error is the one reported; the file is removed.
            }
        }

        private async Task CloseAsync()
        {
            if (_closed || !_ownsWriter)
            {
                return;
            }

            _closed = true;

            // The writer leaves the stream open; the gzip trailer is written when the compressor is
            // disposed, after the writer's last buffer. The file stream stays open for its owner.
            await _writer.DisposeAsync();
            if (_compressed is not null)
            {
                await _compressed.DisposeAsync();
            }
        }
    }

    private sealed class ParquetSink(Stream stream, string target, IReadOnlyList<string> kept, IReadOnlyList<string> scoreColumns) : ScoreSink(target, removesPartial: true)
    {
        private readonly DataField<string>[] _keptFields = kept.Select(c => new DataField<string>(c, nullable: true)).ToArray();
        private readonly DataField<float>[] _scoreFields = scoreColumns.Select(c => new DataField<float>(c)).ToArray();
        private ParquetWriter? _writer;

        protected override async Task StartAsync(IReadOnlyList<string> keptNames, IReadOnlyList<string> scoreNames, CancellationToken cancellationToken)
        {
            var schema = new ParquetSchema([.. _keptFields.Cast<Field>(), .. _scoreFields]);
            _writer = await ParquetWriter.CreateAsync(schema, stream, cancellationToken: cancellationToken);
        }

        protected override async Task WriteCoreAsync(IReadOnlyList<DataColumn> kept, float[] probabilities, int rows, CancellationToken cancellationToken)
        {
            // One row group per chunk: a reader streams the output as this wrote it.
            using var group = _writer!.CreateRowGroup();
            var values = new string?[rows];
            for (var c = 0; c < kept.Count; c++)
            {
                for (var r = 0; r < rows; r++)
                {
                    values[r] = kept[c][r];
                }

                await group.WriteAsync(_keptFields[c], values!);
            }

            var tasks = _scoreFields.Length;
            var column = new float[rows];
            for (var k = 0; k < tasks; k++)
            {
                for (var r = 0; r < rows; r++)
                {
                    column[r] = probabilities[(r * tasks) + k];
                }

                await group.WriteAsync<float>(_scoreFields[k], column, cancellationToken: cancellationToken);
            }
        }

        protected override Task CompleteCoreAsync(CancellationToken cancellationToken) => DisposeCoreAsync().AsTask();

        protected override async ValueTask DisposeCoreAsync()
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }
        }
    }
}
