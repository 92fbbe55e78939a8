using STEM.Recommenders.EncodedData;
using System.Globalization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using STEM.Recommenders.Runtime;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

/// <summary>Options of the <c>probe</c> command.</summary>
internal sealed record ProbeCommandOptions(string Encoder, string DataDirectory, IReadOnlyList<int> Days, int Seeds, IReadOnlyList<string> Attributes, string? Output)
{
    public static ProbeCommandOptions Parse(string[] args)
    {
        string? encoder = null, output = null;
        var data = BenchEnvironment.SharedKuaiRandDirectory;
        IReadOnlyList<int> days = [20220425, 20220426, 20220427, 20220428, 20220429];
        var seeds = 3;
        IReadOnlyList<string> attributes = ["user_active_degree", "is_video_author", "follow_user_num_range", "register_days_range"];
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--encoder": encoder = line.Value(); break;
                case "--data": data = line.Value(); break;
                case "--days": days = line.Value().Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--seeds": seeds = line.PositiveInt(); break;
                case "--attributes": attributes = line.Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--output": output = line.Value(); break;
                default: throw line.Unknown();
            }
        }

        return new ProbeCommandOptions(encoder ?? throw new ArgumentException("probe needs --encoder DIR (an encoder artifact from stem pretrain)."), data, days, seeds, attributes, output);
    }
}

/// <summary>
/// <c>probe</c>: how much of a user's attributes frozen CLUE vectors carry. A small MLP is fitted on
/// the vectors of the users that the pretraining split put in training and scored on the others,
/// for the pretrained encoder, a randomly initialised encoder of the same size, and the mean of
/// the pretrained token embeddings over the user's events (no sequence model).
/// </summary>
internal static class ProbeCommand
{
    public static async Task<int> RunAsync(ProbeCommandOptions options)
    {
        TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });
        using var pretrained = await ClueEncoderArtifact.LoadAsync(options.Encoder).ConfigureAwait(false);
        var events = await ClueData.LoadKuaiRandAsync(BenchEnvironment.Find(options.DataDirectory, "log"), BenchEnvironment.Find(options.DataDirectory, "video"), options.Days).ConfigureAwait(false);
        var users = await TableReaderRegistry.CreateDefault().ReadAsync(BenchEnvironment.Find(options.DataDirectory, "user")).ConfigureAwait(false);
        var log = UserEventLog.FromTable(events, pretrained.Metadata.Sequences!);
        using var sequences = log.EncodeAll(pretrained.Vocabulary);
        Console.WriteLine($"Probing {sequences.Count:N0} users' vectors for {string.Join(", ", options.Attributes)} ({options.Seeds} seeds); {BenchEnvironment.Describe()}.");

        manual_seed(7);
        using var random = ClueEncoderArtifact.Create(new ClueEncoder("clue", pretrained.Vocabulary.Count, pretrained.Encoder.TokensPerItem, pretrained.Encoder.Options), pretrained.Vocabulary, pretrained.Metadata.Sequences!);
        var variants = new (string Name, UserVectors Vectors)[]
        {
            ("CLUE (pretrained)", pretrained.Embed(sequences)),
            ("random encoder, same size", random.Embed(sequences)),
            ("mean of token embeddings", MeanOfTokenEmbeddings(pretrained.Encoder, sequences)),
        };

        var splitOf = (Func<string, bool>)(u => UserSplit.RoleOf(u) == DatasetRole.Train);
        var table = new List<string>
        {
            "| attribute | classes | majority acc. | vectors | accuracy | macro AUC |",
            "| --- | ---: | ---: | --- | ---: | ---: |",
        };
        foreach (var attribute in options.Attributes)
        {
            foreach (var (name, vectors) in variants)
            {
                var results = Enumerable.Range(0, options.Seeds)
                    .Select(s => UserAttributeProbe.Run(vectors, users, "user_id", [attribute], splitOf, seed: 2023 + s)[0])
                    .ToArray();
                table.Add($"| {attribute} | {results[0].Classes} | {results[0].MajorityAccuracy:F3} | {name} | {MeanStd(results.Select(r => r.Accuracy))} | {MeanStd(results.Select(r => r.MacroAuc))} |");
            }
        }

        var text = string.Join(Environment.NewLine, table);
        Console.WriteLine(text);
        if (options.Output is { } path)
        {
            await File.WriteAllTextAsync(path, text + Environment.NewLine).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Each user's vector = the mean of the pretrained token embeddings over every token of their events.</summary>
    private static UserVectors MeanOfTokenEmbeddings(ClueEncoder encoder, UserSequenceSet users)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var tokens = users.Tokens.reshape(users.Count, -1);
        var mask = tokens.ne(0).to(ScalarType.Float32).unsqueeze(-1);
        var embedded = encoder.TokenEmbedding.index_select(0, tokens.reshape(-1)).reshape(users.Count, tokens.shape[1], -1);
        var mean = (embedded * mask).sum(1) / mask.sum(1).clamp_min(1);
        var d = (int)mean.shape[1];
        return new UserVectors(users.UserKeys, mean.contiguous().data<float>().ToArray(), d);
    }

    private static string MeanStd(IEnumerable<double> values)
    {
        var v = values.ToArray();
        var mean = v.Average();
        var std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return $"{mean:F3} ± {std:F3}";
    }
}
