using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Evaluation;

/// <summary>Mean cosine similarity between task gradients on the shared layer.</summary>
/// <param name="Tasks">Task names.</param>
/// <param name="Cosine">[T, T] mean cosine (1 on the diagonal); negative values mean conflicting tasks.</param>
/// <param name="Batches">Batches sampled.</param>
public sealed record GradientConflictReport(IReadOnlyList<string> Tasks, double[,] Cosine, int Batches);

/// <summary>
/// Task-gradient conflict: on sampled batches, the gradient of each task's loss with respect to the
/// model's last shared layer (<see cref="IMultiTaskModel.LastSharedLayer"/>), and the cosine between
/// every pair of tasks, averaged over batches. Negative cosines are where tasks pull the shared
/// parameters apart — the raw material of negative transfer.
/// </summary>
public static class GradientConflict
{
    /// <summary>Samples <paramref name="batches"/> seeded batches and averages the pairwise cosines.</summary>
    /// <exception cref="ArgumentException">The model has no shared layer.</exception>
    public static GradientConflictReport Compute(IMultiTaskModel model, EncodedDataset data, int batches = 8, int batchSize = 4096, long seed = 2023)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var shared = model.LastSharedLayer ?? throw new ArgumentException($"The model '{model.ModelName}' has no layer shared by every task.", nameof(model));
        var t = model.TaskNames.Count;
        var cosine = new double[t, t];
        var wasTraining = model.TorchModule.training;
        model.TorchModule.eval();
        var sparse = model.EmbeddingBanks.Select(b => b.RowSparseGradients).ToArray();
        foreach (var bank in model.EmbeddingBanks)
        {
            bank.RowSparseGradients = false;
        }

        try
        {
            using var generator = new Generator((ulong)seed);
            for (var i = 0; i < batches; i++)
            {
                using var scope = NewDisposeScope();
                var rows = randint(0, data.Count, [Math.Min(batchSize, data.Count)], dtype: ScalarType.Int64, generator: generator).to(data.Device);
                var batch = data.GetBatch(rows);
                var losses = MultiTaskLoss.PerTask(model.Forward(batch.Features).Logits, batch.Labels, batch.LabelMask);
                var gradients = new Tensor[t];
                for (var k = 0; k < t; k++)
                {
                    gradients[k] = torch.autograd.grad([losses[k]], [shared], retain_graph: true, allow_unused: true)[0]?.flatten() ?? zeros(shared.numel(), device: shared.device);
                }

                for (var a = 0; a < t; a++)
                {
                    for (var b = 0; b < t; b++)
                    {
                        var denominator = gradients[a].norm() * gradients[b].norm();
                        cosine[a, b] += (gradients[a].dot(gradients[b]) / denominator.clamp_min(Scalars.Tiny)).item<float>() / batches;
                    }
                }
            }
        }
        finally
        {
            for (var i = 0; i < sparse.Length; i++)
            {
                model.EmbeddingBanks[i].RowSparseGradients = sparse[i];
            }

            model.TorchModule.train(wasTraining);
        }

        return new GradientConflictReport(model.TaskNames, cosine, batches);
    }
}
