using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

public class PrefetchTests
{
    private static async IAsyncEnumerable<int> Source(int count, int failAt = -1, List<int>? produced = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Yield();
            if (i == failAt)
            {
                throw new DataFormatException("log.csv", $"bad chunk {i}");
            }

            produced?.Add(i);
            yield return i;
        }
    }

    [Fact]
    public async Task Read_ahead_keeps_the_order_and_every_item()
    {
        var seen = new List<int>();
        await foreach (var item in Prefetch.AheadAsync(Source(200), depth: 2))
        {
            seen.Add(item);
        }

        seen.Should().Equal(Enumerable.Range(0, 200));
    }

    [Fact]
    public async Task An_error_of_the_source_surfaces_after_the_items_before_it()
    {
        var seen = new List<int>();
        var act = async () =>
        {
            await foreach (var item in Prefetch.AheadAsync(Source(50, failAt: 7), depth: 2))
            {
                seen.Add(item);
            }
        };

        await act.Should().ThrowAsync<DataFormatException>().WithMessage("log.csv: bad chunk 7");
        seen.Should().Equal(Enumerable.Range(0, 7));
    }

    [Fact]
    public async Task Stopping_early_stops_the_source_a_few_items_ahead()
    {
        var produced = new List<int>();
        await foreach (var item in Prefetch.AheadAsync(Source(10_000, produced: produced), depth: 2))
        {
            if (item == 3)
            {
                break;
            }
        }

        produced.Count.Should().BeLessThan(10, "the producer is cancelled when the reader stops");
    }
}
