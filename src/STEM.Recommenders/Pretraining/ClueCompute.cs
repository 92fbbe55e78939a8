using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Training compute of a <see cref="ClueEncoder"/> by the estimate of Kaplan et al. (2020):
/// C ≈ 6 · N · (inputs processed), 2 FLOPs per parameter and input for the forward pass and 4 for
/// the backward pass, adapted to CLUE's two levels:
/// C = 6 · (N_item · real tokens + N_sequence · real items + N_projection · users).
/// </summary>
/// <remarks>
/// <para>Counted: the multiply-adds of the parameters of the item Transformer layer (0 for the mean
/// item encoder) once per real token, of the sequence Transformer layers once per real item, and of
/// the projection once per user. Left out, as in Kaplan et al.: the context-dependent attention
/// term (2 · layers · context · d per input for the forward pass, small while the context is
/// short next to 12 · d), the embedding lookups, layer norms, activations, softmax, the means and
/// the normalisation, and the loss. Padding is not counted (padded slots are wasted work, not model
/// compute).</para>
/// <para>With <c>includeEmbeddings</c> the embedding tables are counted as if they were dense
/// parameters (Kaplan et al.'s "with embeddings" convention, for reports that give both): the token
/// table once per real token and the position table once per real item.</para>
/// <para>For a contrastive step over a <see cref="UserPairBatch"/> add the two views' counts.</para>
/// </remarks>
public static class ClueCompute
{
    /// <summary>Training FLOPs (forward and backward) of one batch, from an encoder's parameter counts.</summary>
    /// <param name="counts">The encoder's parameters by part.</param>
    /// <param name="realTokens">Non-padding tokens of the real items in the batch.</param>
    /// <param name="realItems">Real items in the batch.</param>
    /// <param name="users">Users in the batch.</param>
    /// <param name="includeEmbeddings">Count the embedding tables as dense parameters too.</param>
    public static double TrainingFlops(ClueParameterCounts counts, long realTokens, long realItems, long users, bool includeEmbeddings = false)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegative(realTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(realItems);
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        double perToken = counts.ItemEncoder + (includeEmbeddings ? counts.TokenEmbedding : 0);
        double perItem = counts.SequenceEncoder + (includeEmbeddings ? counts.PositionEmbedding : 0);
        return 6 * ((perToken * realTokens) + (perItem * realItems) + ((double)counts.Projection * users));
    }

    /// <summary>Training FLOPs (forward and backward) of one batch through a built encoder.</summary>
    /// <param name="encoder">The encoder.</param>
    /// <param name="realTokens">Non-padding tokens of the real items in the batch.</param>
    /// <param name="realItems">Real items in the batch.</param>
    /// <param name="users">Users in the batch.</param>
    /// <param name="includeEmbeddings">Count the embedding tables as dense parameters too.</param>
    public static double TrainingFlops(ClueEncoder encoder, long realTokens, long realItems, long users, bool includeEmbeddings = false)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return TrainingFlops(encoder.ParameterCounts, realTokens, realItems, users, includeEmbeddings);
    }

    /// <summary>Training FLOPs (forward and backward) of one batch for an encoder of this shape, without building it (for planning a scaling grid).</summary>
    /// <param name="options">The encoder's shape.</param>
    /// <param name="vocabularySize">V (matters only with <paramref name="includeEmbeddings"/>).</param>
    /// <param name="realTokens">Non-padding tokens of the real items in the batch.</param>
    /// <param name="realItems">Real items in the batch.</param>
    /// <param name="users">Users in the batch.</param>
    /// <param name="includeEmbeddings">Count the embedding tables as dense parameters too.</param>
    public static double TrainingFlops(ClueEncoderOptions options, long vocabularySize, long realTokens, long realItems, long users, bool includeEmbeddings = false) =>
        TrainingFlops(ClueParameterCounts.FromOptions(options, vocabularySize), realTokens, realItems, users, includeEmbeddings);

    /// <summary>
    /// Counts what a batch holds: non-padding tokens of real items, real items, and users. Reads
    /// two numbers back from the device; call it once per batch at most (or once per data set).
    /// </summary>
    /// <param name="batch">The batch.</param>
    public static (long RealTokens, long RealItems, long Users) Count(UserSequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        var items = batch.ItemMask.to(ScalarType.Int64);
        using var zero = 0.ToScalar();
        var tokens = batch.Tokens.ne(zero).logical_and(batch.ItemMask.unsqueeze(-1)).sum();
        return (tokens.item<long>(), items.sum().item<long>(), batch.Size);
    }
}
