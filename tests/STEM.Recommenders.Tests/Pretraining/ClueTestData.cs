using STEM.Recommenders.Data;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Pretraining;

/// <summary>Tiny CLUE encoders and small synthetic logs for the pretraining tests.</summary>
internal static class ClueTestData
{
    public const int MaxLength = 12;

    /// <summary>Width 8, one layer, one head, feed-forward 16, output 8, no dropout.</summary>
    public static ClueEncoderOptions TinyEncoder(double dropout = 0) => new()
    {
        Width = 8,
        Layers = 1,
        Heads = 1,
        FeedForward = 16,
        OutputDim = 8,
        Dropout = dropout,
        MaxLength = MaxLength,
    };

    public static SequenceOptions Sequences => SyntheticUserLogGenerator.DefaultSequenceOptions with { MaxLength = MaxLength };

    /// <summary>An easy synthetic log: 100 items in 5 topics, one interest topic per user, so the two services agree.</summary>
    public static DataTable Log(int users = 500, int seed = 2023) =>
        SyntheticUserLogGenerator.Generate(new SyntheticUserLogOptions { Users = users, Items = 100, Topics = 5, TopicsPerUser = 1, Seed = seed });

    /// <summary>A synthetic log split by user, vocabulary fitted on the training users.</summary>
    public static ClueDataSplits Splits(int users = 500, int seed = 2023) => ClueData.Prepare(Log(users, seed), Sequences);

    /// <summary>A seeded encoder and loss for the splits (built outside any dispose scope).</summary>
    public static (ClueEncoder Encoder, ContrastiveLoss Loss) Build(ClueDataSplits data, long seed = 7, ClueEncoderOptions? encoder = null, ContrastiveLossOptions? loss = null)
    {
        manual_seed(seed);
        var model = new ClueEncoder("clue", data.Vocabulary.Count, data.Log.Options.MaxTokensPerItem, encoder ?? TinyEncoder());
        var contrastive = new ContrastiveLoss("loss", loss ?? new ContrastiveLossOptions());
        return (model, contrastive);
    }

    /// <summary>The largest absolute difference between two modules' state dicts (same names and shapes required).</summary>
    public static double MaxDifference(nn.Module a, nn.Module b)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var left = a.state_dict();
        var right = b.state_dict();
        right.Keys.Order(StringComparer.Ordinal).Should().Equal(left.Keys.Order(StringComparer.Ordinal));
        var max = 0.0;
        foreach (var (name, tensor) in left)
        {
            tensor.shape.Should().Equal(right[name].shape, name);
            if (tensor.numel() > 0)
            {
                max = Math.Max(max, (tensor.to(ScalarType.Float64) - right[name].to(ScalarType.Float64)).abs().max().item<double>());
            }
        }

        return max;
    }

    /// <summary>All users' vectors from the encoder's forward pass in one batch (eval mode, no grad).</summary>
    public static float[] Forward(ClueEncoder encoder, UserSequenceSet users)
    {
        encoder.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var rows = arange(0, users.Count, dtype: ScalarType.Int64);
        return encoder.forward(users.Take(rows)).to(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}
