using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Pretraining;

public class ClueComputeTests
{
    private static readonly ClueEncoderOptions Options = new()
    {
        Width = 8,
        Heads = 2,
        FeedForward = 16,
        Layers = 1,
        MaxLength = 10,
        OutputDim = 4,
        ItemEncoder = ItemEncoderKind.Transformer,
    };

    [Fact]
    public void Training_flops_are_six_times_the_non_embedding_parameters_per_input_of_each_level()
    {
        using var encoder = new ClueEncoder("clue", vocabularySize: 20, tokensPerItem: 3, Options);

        // Per Transformer layer of width 8 and feed-forward 16: 4·64 + 2·8·16 + 9·8 + 16 = 600 parameters.
        // 7 real tokens through the item layer, 4 real items through one sequence layer, 2 users
        // through the projection (8·4 + 4 = 36): 6 · (600·7 + 600·4 + 36·2).
        const double expected = 6.0 * ((600 * 7) + (600 * 4) + (36 * 2));
        ClueCompute.TrainingFlops(encoder, realTokens: 7, realItems: 4, users: 2).Should().Be(expected);
        ClueCompute.TrainingFlops(Options, 20, 7, 4, 2).Should().Be(expected);

        // With embeddings: the token table (20·8) per token and the position table (10·8) per item.
        const double withEmbeddings = 6.0 * ((760 * 7) + (680 * 4) + (36 * 2));
        ClueCompute.TrainingFlops(encoder, 7, 4, 2, includeEmbeddings: true).Should().Be(withEmbeddings);

        // The mean item encoder has no parameters: tokens cost nothing.
        ClueCompute.TrainingFlops(Options with { ItemEncoder = ItemEncoderKind.Mean }, 20, 7, 4, 2).Should().Be(6.0 * ((600 * 4) + (36 * 2)));
    }

    [Fact]
    public void Count_finds_the_real_tokens_items_and_users_of_a_batch()
    {
        using var scope = NewDisposeScope();
        // User 0: items of 2 and 1 tokens; user 1: one item of 3 tokens; user 2: none. L = 3, K = 3.
        var tokens = tensor(new long[] { 4, 5, 0, 6, 0, 0, 0, 0, 0, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).view(3, 3, 3);
        var mask = tensor(new[] { true, true, false, true, false, false, false, false, false }).view(3, 3);

        ClueCompute.Count(new UserSequenceBatch(tokens, mask)).Should().Be((6L, 3L, 3L));
    }
}
