using System.Diagnostics;
using System.Text.Json;
using STEM.Recommenders.Models;

namespace STEM.Recommenders.Tests.Models;

/// <summary>
/// Hammers the one window where <see cref="CatalogJsonOptions"/> can go wrong: a thread publishing
/// settings rebuilt for a new catalog version while other threads read the cached (version,
/// settings) pair. A reader that sees the new version paired with settings built for an older one
/// returns settings whose <see cref="ModelOptions"/> contract can predate the change, so a model
/// registered a moment ago is unknown. The end-to-end test in <see cref="CatalogConcurrencyTests"/>
/// reads too rarely to hit that window; this one changes the catalog thousands of times while
/// readers spin on the settings, and tags every settings object with the catalog version it was
/// built in (building the real contract each time would allow only a few dozen changes a second).
/// </summary>
public class CatalogJsonOptionsRaceTests
{
    public sealed record RaceProbeOptions : ModelOptions;

    private const string ProbeName = "race-probe";

    [Fact]
    public void Settings_read_while_other_threads_publish_were_built_for_the_version_they_claim()
    {
        var builtAt = new System.Runtime.CompilerServices.ConditionalWeakTable<JsonSerializerOptions, object>();
        var settings = new CatalogJsonOptions(() =>
        {
            var options = new JsonSerializerOptions();
            builtAt.Add(options, ModelCatalog.Version);

            // Building takes a while and gives up the core (as building the real contracts does), so
            // that an implementation publishing the version apart from the settings leaves a window
            // that the other readers run in, even on a machine with fewer free cores than threads.
            Thread.Sleep(1);
            return options;
        });

        long reads = 0;
        var stop = 0;
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var readers = Math.Clamp(Environment.ProcessorCount, 2, 4);
        using var start = new Barrier(readers + 1);
        var readerThreads = Enumerable.Range(0, readers).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            start.SignalAndWait();
            while (Volatile.Read(ref stop) == 0)
            {
                // A random pause, so that some reader's first read after a change lands on the first
                // publication for the new version (without it every reader notices the change at
                // once and is busy rebuilding when the first one publishes: nobody reads the pair
                // while it is written).
                Thread.SpinWait(random.Next(1, 64));

                // Judged only when no change ran during the read: the settings must then have been
                // built in exactly this version (built earlier means a stale pair was published or read).
                var before = ModelCatalog.Version;
                var options = settings.Current;
                var after = ModelCatalog.Version;
                Interlocked.Increment(ref reads);
                if (before == after && builtAt.TryGetValue(options, out var version) && (int)version != before)
                {
                    violations.Enqueue($"catalog version {before} was served settings built in version {version}");
                    Volatile.Write(ref stop, 1);
                }
            }
        })
        { IsBackground = true }).ToArray();
        foreach (var thread in readerThreads)
        {
            thread.Start();
        }

        var changes = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            start.SignalAndWait();
            while (changes < 5_000 && clock.Elapsed < TimeSpan.FromSeconds(3) && Volatile.Read(ref stop) == 0)
            {
                if (changes % 2 == 0)
                {
                    ModelCatalog.Register<RaceProbeOptions>(ProbeName, (_, _, _) => throw new NotSupportedException("only its options are read"));
                }
                else
                {
                    ModelCatalog.Unregister(ProbeName);
                }

                changes++;

                // A few microseconds for the readers to rebuild and publish for this version, several
                // of them at once (a fixed spin, not a wait on the readers, which may be descheduled).
                Thread.SpinWait(4_000);
            }
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            foreach (var thread in readerThreads)
            {
                thread.Join();
            }

            ModelCatalog.Unregister(ProbeName);
        }

        violations.Should().BeEmpty($"{changes} catalog changes were read {Volatile.Read(ref reads)} times by {readers} threads");
        changes.Should().BeGreaterThan(100, "the window must be hit many times for the test to mean anything");

        // And the real contract of what is cached now knows the catalog as it is (the probe is gone).
        settings.Current.GetTypeInfo(typeof(ModelOptions)).PolymorphismOptions!.DerivedTypes
            .Should().NotContain(d => d.DerivedType == typeof(RaceProbeOptions));
    }
}
