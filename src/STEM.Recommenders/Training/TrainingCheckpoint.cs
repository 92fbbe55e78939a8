using System.Text.Json;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training.Weighting;
using STEM.Recommenders.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// A training checkpoint directory: model weights, optimizer and loss-weighting state, both random
/// number generators and the position in the data order, so that a resumed CPU run ends with the
/// same weights as an uninterrupted one.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string ModelFile = "model.bin";
    public const string OptimizerFile = "optimizer.bin";
    public const string StateFile = "trainer.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void SaveModel(IMultiTaskModel model, string directory)
    {
        Directory.CreateDirectory(directory);
        model.TorchModule.save(Path.Combine(directory, ModelFile));
    }

    public static void Save(string directory, IMultiTaskModel model, MultiTaskOptimizer optimizer, ILossWeighting weighting, Tensor epochGeneratorState, TrainerState state) =>
        WriteAtomically(directory, temporary =>
        {
            SaveModel(model, temporary);
            using (var writer = new BinaryWriter(File.Create(Path.Combine(temporary, OptimizerFile))))
            {
                optimizer.Save(writer);
                weighting.Save(writer);
                epochGeneratorState.Save(writer);
                using var rng = torch.get_rng_state();
                rng.Save(writer);
            }

            File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, Json));
        });

    /// <summary>
    /// Writes a checkpoint directory through <paramref name="write"/> into a temporary sibling and
    /// replaces <paramref name="directory"/> only once it is complete, so an interrupted save never
    /// leaves a half-written checkpoint in its place.
    /// </summary>
    public static void WriteAtomically(string directory, Action<string> write)
    {
        var temporary = directory + ".tmp";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        Directory.CreateDirectory(temporary);
        write(temporary);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.Move(temporary, directory);
    }

    public static (TrainerState State, Tensor EpochGeneratorState) Restore(string directory, IMultiTaskModel model, MultiTaskOptimizer optimizer, ILossWeighting weighting)
    {
        var stateFile = Path.Combine(directory, StateFile);
        if (!File.Exists(stateFile))
        {
            throw new FileNotFoundException($"'{directory}' is not a training checkpoint (no {StateFile}).", stateFile);
        }

        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(stateFile), Json)
            ?? throw new InvalidDataException($"'{stateFile}' is empty.");
        if (state.TaskNames is not null && !state.TaskNames.SequenceEqual(model.TaskNames))
        {
            throw new InvalidDataException($"The checkpoint was trained for tasks {string.Join(", ", state.TaskNames)}, not {string.Join(", ", model.TaskNames)}.");
        }

        LoadModel(model, directory);
        var optimizerFile = Path.Combine(directory, OptimizerFile);
        Tensor? generator = null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(optimizerFile));
            optimizer.Load(reader);
            weighting.Load(reader);

            // Generator states are a few kilobytes; a header claiming more is a broken file.
            generator = TensorFile.ReadNewTensor(reader.BaseStream, "the data-order generator state", GeneratorStateLimit).DetachFromDisposeScope();
            using var rng = TensorFile.ReadNewTensor(reader.BaseStream, "the global generator state", GeneratorStateLimit);
            if (reader.BaseStream.ReadByte() != -1)
            {
                throw new InvalidDataException("there are bytes after the last state");
            }

            torch.set_rng_state(rng);
            return (state, generator);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or IOException)
        {
            generator?.Dispose();
            throw new InvalidDataException($"{optimizerFile}: {Unfinished(e.Message)}.", e);
        }
    }

    /// <summary>The most elements a saved generator state may have (CPU states are about 5 KB; this is far above).</summary>
    private const long GeneratorStateLimit = 1 << 20;

    /// <summary>Loads model.bin with every tensor checked (count, names, dtype, shape, size, finiteness); errors name the file.</summary>
    public static void LoadModel(IMultiTaskModel model, string directory)
    {
        var file = Path.Combine(directory, ModelFile);
        try
        {
            using var stream = File.OpenRead(file);
            TensorFile.ReadStateInto(stream, model.TorchModule.state_dict(), checkFinite: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {Unfinished(e.Message)}.", e);
        }
    }

    private static string Unfinished(string message) => message.TrimEnd('.');
}

/// <summary>The loop's position and bookkeeping, saved as JSON in a checkpoint.</summary>
internal sealed record TrainerState
{
    public IReadOnlyList<string>? TaskNames { get; init; }

    public int Epoch { get; set; }

    public int StepInEpoch { get; set; }

    public long GlobalStep { get; set; }

    public double? BestValue { get; set; }

    public int EvaluationsWithoutImprovement { get; set; }

    public bool Stopped { get; set; }
}
