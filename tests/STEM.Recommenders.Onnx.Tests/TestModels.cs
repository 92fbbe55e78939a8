using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>Small models of every catalog entry (and variants), with weights spread out so that every input matters.</summary>
public static class TestModels
{
    /// <summary>Cases: a name and the options that make it.</summary>
    public static IReadOnlyDictionary<string, ModelOptions> Cases { get; } = new Dictionary<string, ModelOptions>
    {
        ["stem-net"] = new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2 },
        ["stem-net/2-layers-task-only-gelu"] = new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [6], GateUnits = [5], TowerUnits = [4], SharedExperts = 1, Layers = 2, GateInput = GateInput.TaskOnly, Activation = Activation.Gelu },
        ["stem-net/3-layers-batchnorm"] = new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [6], GateUnits = [], TowerUnits = [4], SharedExperts = 1, Layers = 3, BatchNorm = true },
        ["mmoe"] = new MmoeOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], Experts = 3, Activation = Activation.Tanh },
        ["omoe"] = new OmoeOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], Experts = 3 },
        ["ple"] = new PleOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, Levels = 2 },
        ["shared-bottom"] = new SharedBottomOptions { EmbeddingDim = 4, BottomUnits = [8, 6], TowerUnits = [4], BatchNorm = true },
        ["single-task"] = new SingleTaskOptions { EmbeddingDim = 4, BottomUnits = [8, 6], TowerUnits = [4], Activation = Activation.Sigmoid },
        ["me-mmoe"] = new MeMmoeOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2 },
        ["me-ple"] = new MePleOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, Levels = 3 },
        ["esmm"] = new EsmmOptions { EmbeddingDim = 4, TowerUnits = [8, 6] },
        ["aitm"] = new AitmOptions { EmbeddingDim = 4, TowerUnits = [8, 6] },
    };

    /// <summary>A per-task-selected STEM-Net (two copies; the middle task from the second), beside the catalog's cases.</summary>
    public const string PerTaskSelected = "per-task-selected/stem-net";

    public static IEnumerable<object[]> Names => Cases.Keys.Append(PerTaskSelected).Select(n => new object[] { n });

    /// <summary>The case's model with seeded, spread-out weights (N(0, 0.5) for every parameter, positive running variances), bundled with the pipeline.</summary>
    public static ModelArtifact Artifact(string name, FeaturePipeline pipeline)
    {
        manual_seed(17);
        if (name == PerTaskSelected)
        {
            IMultiTaskModel[] members = [Spread(ModelCatalog.Create(Cases["stem-net"], pipeline.Layout, pipeline.TaskNames)), Spread(ModelCatalog.Create(Cases["stem-net"], pipeline.Layout, pipeline.TaskNames))];
            var map = pipeline.TaskNames.Select((_, t) => t == 1 ? 1 : 0).ToArray();
            var selected = new PerTaskSelectedModel(members, map);
            selected.eval();
            return ModelArtifact.Create(selected, pipeline);
        }

        var model = Spread(ModelCatalog.Create(Cases[name], pipeline.Layout, pipeline.TaskNames));
        model.TorchModule.eval();
        return ModelArtifact.Create(model, pipeline);
    }

    private static IMultiTaskModel Spread(IMultiTaskModel model)
    {
        using (no_grad())
        {
            foreach (var (_, parameter) in model.TorchModule.named_parameters())
            {
                parameter.normal_(0, 0.5);
            }

            foreach (var (buffer, value) in model.TorchModule.named_buffers())
            {
                if (buffer.Contains("running_mean", StringComparison.Ordinal))
                {
                    value.normal_(0, 0.3);
                }
                else if (buffer.Contains("running_var", StringComparison.Ordinal))
                {
                    value.uniform_(0.5, 2.0);
                }
            }
        }

        return model;
    }
}
