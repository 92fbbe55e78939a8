using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace STEM.Recommenders.Data;

/// <summary>
/// Reads a stream ahead on a thread of its own, a few blocks deep, so that decompressing a file
/// overlaps with parsing it: inflating gzip is about a third of the time it takes to read a
/// KuaiRand log, and the parser (one thread per file) is what a streamed build waits for. The bytes
/// are the source's, in order; an error of the source (a damaged or cut gzip stream) is thrown by
/// the <see cref="Read(Span{byte})"/> that reaches it, as the source threw it.
/// </summary>
internal sealed class ReadAheadStream : ReadOnlyStreamView
{
    private const int BlockSize = 1 << 20;
    private const int Depth = 4;

    private readonly BlockingCollection<(byte[] Buffer, int Count)> _ready = new(Depth);
    private readonly ConcurrentQueue<byte[]> _free = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private ExceptionDispatchInfo? _error;
    private byte[]? _current;
    private int _offset;
    private int _count;
    private bool _disposed;

    /// <summary>Starts reading <paramref name="source"/> ahead; the view owns it.</summary>
    public ReadAheadStream(Stream source)
        : base(source)
    {
        _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_offset == _count)
        {
            if (_current is not null)
            {
                _free.Enqueue(_current);
                _current = null;
            }

            if (!_ready.TryTake(out var block, Timeout.Infinite))
            {
                // The source ended, or failed: its error is this read's.
                _error?.Throw();
                return 0;
            }

            (_current, _count) = block;
            _offset = 0;
        }

        var take = Math.Min(buffer.Length, _count - _offset);
        _current.AsSpan(_offset, take).CopyTo(buffer);
        _offset += take;
        BytesRead += take;
        return take;
    }

    private void Produce()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var block = _free.TryDequeue(out var reused) ? reused : new byte[BlockSize];
                var filled = 0;
                try
                {
                    while (filled < block.Length)
                    {
                        var read = Inner.Read(block, filled, block.Length - filled);
                        if (read == 0)
                        {
                            break;
                        }

                        filled += read;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException && filled > 0)
                {
                    // The bytes before the error are the parser's to read first (a bad line there is
                    // reported before the damaged stream, as without reading ahead).
                    _ready.Add((block, filled), _stop.Token);
                    throw;
                }

                if (filled == 0)
                {
                    break;
                }

                _ready.Add((block, filled), _stop.Token);
                if (filled < block.Length)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The reader stopped early (an error, or it had read what it wanted).
        }
        catch (Exception e)
        {
            _error = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            _ready.CompleteAdding();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            try
            {
                _producer.Wait();
            }
            catch (AggregateException)
            {
                // Errors are captured in Produce; nothing else escapes it.
            }

            _ready.Dispose();
            _stop.Dispose();
        }

        base.Dispose(disposing);
    }
}
