using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// A linear-probe-style test of general-purpose user vectors: a small MLP (one hidden layer) is
/// fitted on frozen vectors to predict a user attribute (a categorical column of a user table) and
/// scored on other users. Better held-out accuracy and AUC than a baseline's vectors means the
/// vectors carry more of that attribute.
/// </summary>
public static class UserAttributeProbe
{
    /// <summary>Fits and scores a probe for each attribute.</summary>
    /// <param name="vectors">Frozen user vectors.</param>
    /// <param name="users">The user table (key column and attribute columns).</param>
    /// <param name="keyColumn">The user key column of <paramref name="users"/>.</param>
    /// <param name="attributes">Categorical attribute columns to predict.</param>
    /// <param name="isTrain">Which users the probe is fitted on (the others are scored), e.g. by <see cref="UserSplit"/>.</param>
    /// <param name="seed">Seed of the MLP's initialisation and batch order.</param>
    /// <param name="epochs">Full passes of Adam over the training users. Default 60.</param>
    /// <param name="hidden">Hidden units. Default 64.</param>
    public static IReadOnlyList<ProbeResult> Run(UserVectors vectors, DataTable users, string keyColumn, IReadOnlyList<string> attributes, Func<string, bool> isTrain, long seed = 2023, int epochs = 60, int hidden = 64)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(isTrain);
        var keys = users.Column(keyColumn);
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < users.RowCount; r++)
        {
            if (keys[r] is { } k)
            {
                rowOf.TryAdd(k, r);
            }
        }

        var results = new List<ProbeResult>();
        foreach (var attribute in attributes)
        {
            var column = users.Column(attribute);
            var train = new List<(int Vector, string Label)>();
            var test = new List<(int Vector, string Label)>();
            for (var i = 0; i < vectors.Count; i++)
            {
                if (rowOf.TryGetValue(vectors.Keys[i], out var r) && column[r] is { } label)
                {
                    (isTrain(vectors.Keys[i]) ? train : test).Add((i, label));
                }
            }

            var classes = train.Select(t => t.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (classes.Length < 2 || test.Count == 0)
            {
                throw new DataFormatException(new SourceLocation(users.Source, null, attribute), $"the probe of '{attribute}' needs at least two classes among the training users and one held-out user (found {classes.Length} classes, {test.Count} held-out users)");
            }

            results.Add(Probe(vectors, attribute, classes, train, test, seed, epochs, hidden));
        }

        return results;
    }

    private static ProbeResult Probe(UserVectors vectors, string attribute, string[] classes, List<(int Vector, string Label)> train, List<(int Vector, string Label)> test, long seed, int epochs, int hidden)
    {
        var index = classes.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => (long)x.i, StringComparer.Ordinal);
        var d = vectors.Dimension;
        float[] Rows(List<(int Vector, string Label)> set)
        {
            var x = new float[(long)set.Count * d];
            for (var i = 0; i < set.Count; i++)
            {
                vectors[set[i].Vector].CopyTo(x.AsSpan(i * d, d));
            }

            return x;
        }

        using var generator = new Generator((ulong)seed);
        manual_seed(seed);
        using var mlp = nn.Sequential(("hidden", nn.Linear(d, hidden)), ("relu", nn.ReLU()), ("out", nn.Linear(hidden, classes.Length)));
        using var optimizer = optim.Adam(mlp.parameters(), 1e-2);
        using var scope = NewDisposeScope();
        var xTrain = tensor(Rows(train), [train.Count, d]);
        var mean = xTrain.mean([0], keepdim: true);
        var std = xTrain.std([0], keepdim: true).clamp_min(1e-6);
        xTrain = (xTrain - mean) / std;
        var yTrain = tensor(train.Select(t => index[t.Label]).ToArray());
        var xTest = (tensor(Rows(test), [test.Count, d]) - mean) / std;
        var known = test.Select(t => index.TryGetValue(t.Label, out var c) ? c : -1).ToArray();
        mlp.train();
        const int batch = 256;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var order = randperm(train.Count, generator: generator);
            for (var start = 0; start < train.Count; start += batch)
            {
                using var step = NewDisposeScope();
                var rows = order.narrow(0, start, Math.Min(batch, train.Count - start));
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(mlp.call(xTrain.index_select(0, rows)), yTrain.index_select(0, rows));
                loss.backward();
                optimizer.step();
            }
        }

        mlp.eval();
        using var _ = no_grad();
        var probabilities = nn.functional.softmax(mlp.call(xTest), 1).data<float>().ToArray();
        var k = classes.Length;
        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var best = 0;
            for (var c = 1; c < k; c++)
            {
                if (probabilities[(i * k) + c] > probabilities[(i * k) + best])
                {
                    best = c;
                }
            }

            correct += known[i] == best ? 1 : 0;
        }

        var majority = train.GroupBy(t => t.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var majorityAccuracy = test.Count(t => t.Label == majority) / (double)test.Count;
        var aucs = new List<double>();
        for (var c = 0; c < k; c++)
        {
            var labels = known.Select(y => y == c).ToArray();
            if (labels.All(l => l) || labels.All(l => !l))
            {
                continue; // a class absent from (or alone in) the held-out users has no AUC
            }

            var scores = Enumerable.Range(0, test.Count).Select(i => probabilities[(i * k) + c]).ToArray();
            aucs.Add(AucMetric.Compute(scores, labels.Select(l => l ? 1f : 0f).ToArray()));
        }

        return new ProbeResult(attribute, k, train.Count, test.Count, correct / (double)test.Count, majorityAccuracy, aucs.Count == 0 ? double.NaN : aucs.Average());
    }
}
