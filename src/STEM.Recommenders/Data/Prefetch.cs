using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace STEM.Recommenders.Data;

/// <summary>
/// Reads an asynchronous sequence ahead on another thread, so that parsing the next chunk of a file
/// overlaps with the caller's work on the current one (the CSV parser is single-threaded; encoding
/// uses every core). Order is kept; an error of the source surfaces when the caller asks for the
/// item it would have produced, as it would without read-ahead.
/// </summary>
internal static class Prefetch
{
    public static async IAsyncEnumerable<T> AheadAsync<T>(IAsyncEnumerable<T> source, int depth, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ExceptionDispatchInfo? failure = null;
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var item in source.WithCancellation(stop.Token).ConfigureAwait(false))
                    {
                        await channel.Writer.WriteAsync(item, stop.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    channel.Writer.Complete();
                }
            },
            CancellationToken.None);
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }

            await producer.ConfigureAwait(false);
            failure?.Throw();
        }
        finally
        {
            // The caller stopped early (an error, or it had enough): stop reading the source.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }
}
