using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using TorchSharp;

namespace STEM.Recommenders.Tests.Models;

/// <summary>Registering models while other threads read artifacts and experiment files is safe.</summary>
public class CatalogConcurrencyTests
{
    public sealed record ProbeOptions<TTag> : ModelOptions;

    public sealed class Tag0;

    public sealed class Tag1;

    public sealed class Tag2;

    public sealed class Tag3;

    [Fact]
    public async Task Concurrent_registrations_and_artifact_loads_all_succeed_and_see_the_new_models()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        torch.manual_seed(3);
        var path = Path.Combine(TestPaths.TempDirectory(), "model.stem");
        using (var artifact = ModelArtifact.Create(new Mmoe(data.Pipeline.Layout, data.Pipeline.TaskNames, (MmoeOptions)TinyData.Small(Mmoe.Name)), data.Pipeline))
        {
            await artifact.SaveAsync(path);
        }

        Action[] registrations =
        [
            () => Register<Tag0>("probe-0"),
            () => Register<Tag1>("probe-1"),
            () => Register<Tag2>("probe-2"),
            () => Register<Tag3>("probe-3"),
        ];
        try
        {
            using var start = new Barrier(registrations.Length + 4);
            var registering = registrations.Select((register, i) => Task.Run(() =>
            {
                start.SignalAndWait();
                register();

                // Read at once by settings that were cached before this registration.
                var json = """{"data": {"preset": "synthetic"}, "model": {"model": "NAME", "embeddingDim": 3}}""".Replace("NAME", $"probe-{i}", StringComparison.Ordinal);
                var config = ExperimentConfigLoader.Parse(json);
                config.Model.EmbeddingDim.Should().Be(3);
                ModelCatalog.NameOf(config.Model).Should().Be($"probe-{i}");
            }));
            var loading = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                for (var n = 0; n < 3; n++)
                {
                    using var loaded = await ModelArtifact.LoadAsync(path);
                    loaded.Model.ModelName.Should().Be(Mmoe.Name);
                }
            }));

            await Task.WhenAll(registering.Concat(loading));
        }
        finally
        {
            for (var i = 0; i < registrations.Length; i++)
            {
                ModelCatalog.Unregister($"probe-{i}");
            }
        }

        ModelCatalog.Names.Should().NotContain(n => n.StartsWith("probe-", StringComparison.Ordinal));
    }

    private static void Register<TTag>(string name) =>
        ModelCatalog.Register<ProbeOptions<TTag>>(name, (_, _, _) => throw new NotSupportedException("only its options are read"));
}
