using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Modules;

public class ClueEncoderTests
{
    private const int Vocabulary = 30;

    // Three users: items in time order, each item a list of token ids (1 = OOV, 0 never appears).
    private static readonly long[][][] Users =
    [
        [[2, 3, 4], [5], [6, 7]],
        [[8, 9]],
        [[10], [11, 12, 13], [14], [15, 16], [2, 17]],
    ];

    private static ClueEncoderOptions Small(ItemEncoderKind kind = ItemEncoderKind.Mean, int layers = 2, bool positions = true) => new()
    {
        Width = 16,
        Heads = 2,
        FeedForward = 32,
        Layers = layers,
        MaxLength = 12,
        OutputDim = 8,
        ItemEncoder = kind,
        PositionEncoding = positions,
    };

    /// <summary>Pads users to [B, length, tokens]; an empty user is a row of padding.</summary>
    private static UserSequenceBatch Batch(long[][][] users, int length, int tokens)
    {
        var ids = new long[users.Length * length * tokens];
        var mask = new bool[users.Length * length];
        for (var u = 0; u < users.Length; u++)
        {
            for (var i = 0; i < users[u].Length; i++)
            {
                mask[(u * length) + i] = true;
                for (var t = 0; t < users[u][i].Length; t++)
                {
                    ids[(((u * length) + i) * tokens) + t] = users[u][i][t];
                }
            }
        }

        return new UserSequenceBatch(tensor(ids).view(users.Length, length, tokens), tensor(mask).view(users.Length, length));
    }

    private static float MaxDifference(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [InlineData(ItemEncoderKind.Mean, 2)]
    [InlineData(ItemEncoderKind.Transformer, 2)]
    [InlineData(ItemEncoderKind.Mean, 0)]
    [InlineData(ItemEncoderKind.Transformer, 0)]
    public void Extra_padding_items_and_token_slots_do_not_change_a_users_vector(ItemEncoderKind kind, int layers)
    {
        manual_seed(11);
        using var encoder = new ClueEncoder("clue", Vocabulary, tokensPerItem: 6, Small(kind, layers));
        encoder.eval();
        using var scope = NewDisposeScope();

        var tight = encoder.forward(Batch(Users, length: 5, tokens: 3));
        var padded = encoder.forward(Batch([.. Users, []], length: 11, tokens: 6));

        tight.shape.Should().Equal(3, 8);
        padded.shape.Should().Equal(4, 8);
        MaxDifference(tight, padded[..3]).Should().BeLessThan(1e-5f);
        // The user without items is a zero row, not NaN.
        padded[3].abs().max().item<float>().Should().Be(0);
        // The vectors are not trivially equal (e.g. all zero).
        MaxDifference(tight[0], tight[1]).Should().BeGreaterThan(1e-3f);
    }

    [Theory]
    [InlineData(ItemEncoderKind.Mean)]
    [InlineData(ItemEncoderKind.Transformer)]
    public void Without_positions_the_order_of_items_does_not_matter_and_with_positions_it_does(ItemEncoderKind kind)
    {
        long[][][] permuted = [[Users[0][2], Users[0][0], Users[0][1]], Users[1], [Users[2][4], Users[2][1], Users[2][3], Users[2][0], Users[2][2]]];
        foreach (var positions in new[] { false, true })
        {
            manual_seed(12);
            using var encoder = new ClueEncoder("clue", Vocabulary, 3, Small(kind, positions: positions));
            encoder.eval();
            using var scope = NewDisposeScope();

            var a = encoder.forward(Batch(Users, 5, 3));
            var b = encoder.forward(Batch(permuted, 5, 3));

            if (positions)
            {
                MaxDifference(a[0], b[0]).Should().BeGreaterThan(1e-3f);
                MaxDifference(a[2], b[2]).Should().BeGreaterThan(1e-3f);
            }
            else
            {
                MaxDifference(a, b).Should().BeLessThan(1e-5f);
            }
        }
    }

    [Theory]
    [InlineData(ItemEncoderKind.Mean)]
    [InlineData(ItemEncoderKind.Transformer)]
    public void Rows_have_unit_norm_without_nan_for_a_single_item_user_in_training_mode(ItemEncoderKind kind)
    {
        manual_seed(13);
        using var encoder = new ClueEncoder("clue", Vocabulary, 4, Small(kind));
        encoder.train();
        using var scope = NewDisposeScope();
        // One user with a single one-token item in four slots, one with padded items, one without
        // items, and one whose first item (against the contract) is marked real but has no tokens.
        long[][][] users = [[[7]], [[3, 4, 5, 6], [8]], [], [[], [9]]];

        var z = encoder.forward(Batch(users, 6, 4));

        z.isnan().any().item<bool>().Should().BeFalse();
        var norms = z.norm(1);
        norms[0].item<float>().Should().BeApproximately(1f, 1e-5f);
        norms[1].item<float>().Should().BeApproximately(1f, 1e-5f);
        norms[2].item<float>().Should().Be(0);
        norms[3].item<float>().Should().BeApproximately(1f, 1e-5f);
    }

    [Fact]
    public void Dropout_is_active_in_training_and_off_in_evaluation()
    {
        manual_seed(14);
        using var encoder = new ClueEncoder("clue", Vocabulary, 3, Small(ItemEncoderKind.Transformer) with { Dropout = 0.5 });
        using var scope = NewDisposeScope();
        var batch = Batch(Users, 5, 3);

        encoder.train();
        MaxDifference(encoder.forward(batch), encoder.forward(batch)).Should().BeGreaterThan(1e-3f);
        encoder.eval();
        MaxDifference(encoder.forward(batch), encoder.forward(batch)).Should().Be(0);
    }

    [Theory]
    [InlineData(ItemEncoderKind.Mean)]
    [InlineData(ItemEncoderKind.Transformer)]
    public void Gradients_reach_the_used_token_embeddings_and_the_padding_row_gets_none(ItemEncoderKind kind)
    {
        manual_seed(15);
        using var encoder = new ClueEncoder("clue", Vocabulary, 5, Small(kind));
        encoder.train();
        using var scope = NewDisposeScope();

        var z = encoder.forward(Batch([.. Users, []], 7, 5));
        (z * randn(z.shape)).sum().backward();

        var grad = encoder.TokenEmbedding.grad!;
        var rowNorms = grad.norm(1);
        rowNorms[0].item<float>().Should().Be(0);
        foreach (var used in Users.SelectMany(u => u.SelectMany(i => i)).Distinct())
        {
            rowNorms[used].item<float>().Should().BeGreaterThan(0, $"token {used} is used");
        }

        // Tokens that never occur get nothing either.
        rowNorms[Vocabulary - 1].item<float>().Should().Be(0);
        encoder.PositionEmbedding!.grad!.abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Parameter_counts_equal_the_hand_formula()
    {
        var options = new ClueEncoderOptions { Width = 8, Heads = 2, FeedForward = 16, Layers = 2, MaxLength = 10, OutputDim = 4, ItemEncoder = ItemEncoderKind.Transformer };
        using var encoder = new ClueEncoder("clue", vocabularySize: 20, tokensPerItem: 3, options);

        // One layer: in-projection 3·8·8 + 24, out-projection 8·8 + 8, feed-forward 8·16 + 16 + 16·8 + 8, two layer norms 4·8.
        const long layer = (3 * 64) + 24 + 64 + 8 + (128 + 16) + (128 + 8) + 32;
        layer.Should().Be(600);
        var expected = new ClueParameterCounts(TokenEmbedding: 20 * 8, PositionEmbedding: 10 * 8, ItemEncoder: layer, SequenceEncoder: 2 * layer, Projection: (8 * 4) + 4);

        encoder.ParameterCounts.Should().Be(expected);
        ClueParameterCounts.FromOptions(options, 20).Should().Be(expected);
        encoder.EmbeddingParameterCount.Should().Be(240);
        encoder.NonEmbeddingParameterCount.Should().Be(1836);
        encoder.parameters().Sum(p => p.numel()).Should().Be(expected.Total);

        var bare = options with { ItemEncoder = ItemEncoderKind.Mean, Layers = 0, PositionEncoding = false };
        using var small = new ClueEncoder("clue", 20, 3, bare);
        small.ParameterCounts.Should().Be(new ClueParameterCounts(160, 0, 0, 0, 36));
        ClueParameterCounts.FromOptions(bare, 20).Should().Be(small.ParameterCounts);
        small.parameters().Sum(p => p.numel()).Should().Be(196);
    }

    [Fact]
    public void A_batch_longer_than_MaxLength_is_rejected_naming_the_option()
    {
        using var encoder = new ClueEncoder("clue", Vocabulary, 3, Small());
        using var scope = NewDisposeScope();

        var act = () => encoder.forward(Batch(Users, 13, 3));

        act.Should().Throw<ArgumentException>().WithMessage("*ClueEncoderOptions.MaxLength*");
    }

    [Theory]
    [InlineData("Width")]
    [InlineData("Heads")]
    [InlineData("Layers")]
    [InlineData("MaxLength")]
    [InlineData("Dropout")]
    [InlineData("OutputDim")]
    public void Options_out_of_range_are_rejected_naming_the_option(string option)
    {
        var bad = option switch
        {
            "Width" => new ClueEncoderOptions { Width = 8192, Heads = 1 },
            "Heads" => new ClueEncoderOptions { Width = 64, Heads = 5 },
            "Layers" => new ClueEncoderOptions { Layers = 49 },
            "MaxLength" => new ClueEncoderOptions { MaxLength = 5000 },
            "Dropout" => new ClueEncoderOptions { Dropout = 1 },
            _ => new ClueEncoderOptions { OutputDim = 0 },
        };

        bad.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage($"ClueEncoderOptions.{option} *");
        new ClueEncoderOptions().Invoking(o => o.Validate()).Should().NotThrow();
        new ClueEncoderOptions { Layers = 0 }.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Theory]
    [InlineData(ItemEncoderKind.Mean)]
    [InlineData(ItemEncoderKind.Transformer)]
    public void Fifty_forward_and_backward_passes_leave_the_number_of_live_tensors_flat(ItemEncoderKind kind)
    {
        manual_seed(16);
        using var encoder = new ClueEncoder("clue", Vocabulary, 3, Small(kind));
        encoder.train();
        using var batchScope = NewDisposeScope();
        var batch = Batch([.. Users, []], 6, 3);

        void Step()
        {
            using var scope = NewDisposeScope();
            encoder.forward(batch).sum().backward();
        }

        Step();
        var before = LiveTensors.Settled();
        for (var i = 0; i < 50; i++)
        {
            Step();
        }

        Tensor.TotalCount.Should().Be(before);
    }
}
