using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Models;

public class ModelShapeTests
{
    [Theory]
    [MemberData(nameof(TinyData.ModelNames), MemberType = typeof(TinyData))]
    public void Every_model_gives_one_finite_logit_per_task(string name)
    {
        manual_seed(1);
        using var model = ModelCatalog.Create(name, TinyData.Layout, TinyData.Tasks3, TinyData.Small(name));
        using var scope = NewDisposeScope();

        var output = model.Forward(TinyData.Batch(TinyData.Layout, 9));

        output.Logits.shape.Should().Equal(9, 3);
        output.Logits.isfinite().all().item<bool>().Should().BeTrue();
        model.ModelName.Should().Be(name);
    }

    [Theory]
    [MemberData(nameof(TinyData.ModelNames), MemberType = typeof(TinyData))]
    public void Every_model_accepts_a_single_task(string name)
    {
        manual_seed(1);
        using var model = ModelCatalog.Create(name, TinyData.Layout, ["click"], TinyData.Small(name));
        using var scope = NewDisposeScope();

        var output = model.Forward(TinyData.Batch(TinyData.Layout, 5));

        output.Logits.shape.Should().Equal(5, 1);
        output.Logits.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(TinyData.ModelNames), MemberType = typeof(TinyData))]
    public void Seeded_construction_is_identical(string name)
    {
        manual_seed(7);
        using var a = ModelCatalog.Create(name, TinyData.Layout, TinyData.Tasks2, TinyData.Small(name));
        manual_seed(7);
        using var b = ModelCatalog.Create(name, TinyData.Layout, TinyData.Tasks2, TinyData.Small(name));

        var pa = a.TorchModule.named_parameters().ToArray();
        var pb = b.TorchModule.named_parameters().ToArray();
        pa.Select(p => p.name).Should().Equal(pb.Select(p => p.name));
        for (var i = 0; i < pa.Length; i++)
        {
            pa[i].parameter.allclose(pb[i].parameter, 0, 0).Should().BeTrue(pa[i].name);
        }
    }

    [Theory]
    [MemberData(nameof(TinyData.ModelNames), MemberType = typeof(TinyData))]
    public void Save_then_load_gives_identical_logits(string name)
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "model.bin");
        manual_seed(3);
        using var original = ModelCatalog.Create(name, TinyData.Layout, TinyData.Tasks2, TinyData.Small(name));
        original.TorchModule.save(path);
        manual_seed(4);
        using var restored = ModelCatalog.Create(name, TinyData.Layout, TinyData.Tasks2, TinyData.Small(name));
        restored.TorchModule.load(path);
        original.TorchModule.eval();
        restored.TorchModule.eval();
        using var scope = NewDisposeScope();
        var batch = TinyData.Batch(TinyData.Layout, 6);

        restored.Forward(batch).Logits.allclose(original.Forward(batch).Logits, 0, 0).Should().BeTrue();
    }

    [Fact]
    public void Unknown_model_and_mismatched_options_are_clear_errors()
    {
        var unknown = () => ModelCatalog.Create("deepfm", TinyData.Layout, TinyData.Tasks2);
        var mismatch = () => ModelCatalog.Create("mmoe", TinyData.Layout, TinyData.Tasks2, new PleOptions());
        var invalid = () => new StemNet(TinyData.Layout, TinyData.Tasks2, new StemNetOptions { Layers = 0 });

        unknown.Should().Throw<ArgumentException>().WithMessage("Unknown model 'deepfm'; known models: stem-net, mmoe, omoe, ple, shared-bottom, single-task, me-mmoe, me-ple, esmm, aitm*");
        mismatch.Should().Throw<ArgumentException>().WithMessage("Model 'mmoe' takes MmoeOptions, not PleOptions.*");
        invalid.Should().Throw<ArgumentException>().WithMessage("StemNetOptions.Layers must be in [1, 64].*");
    }

    [Fact]
    public void Esmm_never_rates_a_later_task_above_the_entry_task()
    {
        manual_seed(5);
        using var model = new Esmm(TinyData.Layout, TinyData.Tasks3, (EsmmOptions)TinyData.Small(Esmm.Name));
        using var scope = NewDisposeScope();

        var p = model.Forward(TinyData.Batch(TinyData.Layout, 50)).Probabilities();

        (p[.., 1] <= p[.., 0] + 1e-6).all().item<bool>().Should().BeTrue();
        (p[.., 2] <= p[.., 0] + 1e-6).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Ple_task_gates_put_no_weight_on_other_tasks_experts()
    {
        manual_seed(5);
        using var model = new Ple(TinyData.Layout, TinyData.Tasks2, (PleOptions)TinyData.Small(Ple.Name));
        using var scope = NewDisposeScope();

        var weights = model.Forward(TinyData.Batch(TinyData.Layout, 4)).GateWeights!;

        // Owners: expert 0 → task 0, expert 1 → task 1, experts 2-3 shared.
        model.ExpertOwners.Should().Equal(0, 1, -1, -1);
        weights[0, .., 1].abs().max().item<float>().Should().Be(0);
        weights[1, .., 0].abs().max().item<float>().Should().Be(0);
        weights.sum(dim: -1).sub(1).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }
}
