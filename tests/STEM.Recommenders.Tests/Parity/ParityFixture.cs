using STEM.Recommenders.EncodedData;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Parity;

/// <summary>
/// tests/parity/fixtures/parity.json, written by tests/parity/make_parity_fixture.py (PyTorch):
/// a batch, the initial weights of STEM-Net and MMoE under the C# parameter names, their logits,
/// and one Adam step per optimizer case.
/// </summary>
public sealed record ParityFixture
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    private static readonly Lazy<ParityFixture> Shared = new(() => Load(DefaultPath));

    /// <summary>tests/parity/fixtures/parity.json under the repository root.</summary>
    public static string DefaultPath => Path.Combine(TestPaths.RepositoryRoot, "tests", "parity", "fixtures", "parity.json");

    /// <summary>The committed fixture, read once.</summary>
    public static ParityFixture Instance => Shared.Value;

    public required string TorchVersion { get; init; }

    public required int EmbeddingDim { get; init; }

    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>Fields in declared order.</summary>
    public required IReadOnlyList<FixtureField> Fields { get; init; }

    /// <summary>Python's own layout: fields in id-space order with offsets and first slots.</summary>
    public required IReadOnlyList<FixtureLayoutField> Layout { get; init; }

    public required FixtureStemNetOptions StemNet { get; init; }

    public required FixtureMmoeOptions Mmoe { get; init; }

    public required FixtureBatch Batch { get; init; }

    /// <summary>"stem-net" and "mmoe".</summary>
    public required IReadOnlyDictionary<string, FixtureModel> Models { get; init; }

    public static ParityFixture Load(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<ParityFixture>(stream, JsonOptions)
            ?? throw new InvalidDataException($"{path} holds no fixture.");
    }
}

public sealed record FixtureField
{
    public required string Name { get; init; }

    public required long Rows { get; init; }

    public required int Slots { get; init; }

    public required bool TaskSpecific { get; init; }
}

public sealed record FixtureLayoutField
{
    public required string Name { get; init; }

    public required long Offset { get; init; }

    public required int FirstSlot { get; init; }
}

public sealed record FixtureStemNetOptions
{
    public required IReadOnlyList<int> ExpertUnits { get; init; }

    public required IReadOnlyList<int> GateUnits { get; init; }

    public required IReadOnlyList<int> TowerUnits { get; init; }

    public required int SharedExperts { get; init; }

    public required int SpecificExpertsPerTask { get; init; }

    public required int Layers { get; init; }
}

public sealed record FixtureMmoeOptions
{
    public required IReadOnlyList<int> ExpertUnits { get; init; }

    public required IReadOnlyList<int> GateUnits { get; init; }

    public required IReadOnlyList<int> TowerUnits { get; init; }

    public required int Experts { get; init; }
}

public sealed record FixtureBatch
{
    /// <summary>Global ids [B, S], task-specific fields' slots first.</summary>
    public required IReadOnlyList<IReadOnlyList<long>> Ids { get; init; }

    public required FixtureTensor SlotWeights { get; init; }

    public required FixtureTensor Labels { get; init; }

    public Tensor IdTensor()
    {
        var rows = Ids.Count;
        var columns = Ids[0].Count;
        return tensor(Ids.SelectMany(r => r).ToArray()).reshape(rows, columns);
    }
}

public sealed record FixtureModel
{
    /// <summary>Initial weights, C# names and shapes.</summary>
    public required IReadOnlyDictionary<string, FixtureTensor> Parameters { get; init; }

    /// <summary>Logits [B, T] with the initial weights.</summary>
    public required FixtureTensor Logits { get; init; }

    public required IReadOnlyList<FixtureStep> Steps { get; init; }

    public FixtureStep Step(string name) => Steps.Single(s => s.Name == name);
}

/// <summary>One Adam step of PyTorch from the initial weights.</summary>
public sealed record FixtureStep
{
    public required string Name { get; init; }

    public required double LearningRate { get; init; }

    public required double EmbeddingL2 { get; init; }

    public required double MaxNorm { get; init; }

    public required bool Clipped { get; init; }

    /// <summary>Mean BCE of each task, [T].</summary>
    public required FixtureTensor TaskLosses { get; init; }

    /// <summary>Global gradient norm (L2 term included) before clipping.</summary>
    public required double GradNorm { get; init; }

    /// <summary>Parameters after the step.</summary>
    public required IReadOnlyDictionary<string, FixtureTensor> Parameters { get; init; }

    /// <summary>Logits after the step.</summary>
    public required FixtureTensor Logits { get; init; }
}

/// <summary>A float32 tensor: shape and row-major values.</summary>
public sealed record FixtureTensor
{
    public required IReadOnlyList<long> Shape { get; init; }

    public required IReadOnlyList<float> Values { get; init; }

    /// <summary>The values as a float32 tensor of <see cref="Shape"/> (in the current dispose scope).</summary>
    public Tensor ToTensor()
    {
        var count = Shape.Aggregate(1L, (a, b) => a * b);
        if (count != Values.Count)
        {
            throw new InvalidDataException($"A fixture tensor of shape [{string.Join(", ", Shape)}] holds {Values.Count} values.");
        }

        return tensor(Values.ToArray()).reshape(Shape.ToArray());
    }
}
