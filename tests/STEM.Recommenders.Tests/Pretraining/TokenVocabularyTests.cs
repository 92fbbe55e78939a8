using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;
using TorchSharp;
using static STEM.Recommenders.Tests.Pretraining.SequenceTestData;

namespace STEM.Recommenders.Tests.Pretraining;

public class TokenVocabularyTests
{
    private const string Csv =
        "user,t,item\n" +
        "train1,1,shared\ntrain1,2,shared\ntrain1,3,rare\ntrain2,1,shared\n" +
        "valid,1,only_valid\nvalid,2,only_valid\nvalid,3,shared\n";

    private static UserEventLog Log() => UserEventLog.FromTable(
        Table(Csv),
        new SequenceOptions { UserColumn = "user", TimeColumn = "t", Tokens = [TokenField.Categorical("item")], Views = new RandomViews() });

    [Fact]
    public void Is_fitted_on_training_users_only_with_min_count()
    {
        var vocabulary = TokenVocabulary.Fit(Log(), Set("train1", "train2"), minCount: 2);

        vocabulary.Tokens.Should().Equal("item=shared");
        vocabulary.Count.Should().Be(3);
        vocabulary.IdOf("item=shared").Should().Be(2);
        vocabulary.IdOf("item=rare").Should().Be(TokenVocabulary.OovId);
        vocabulary.IdOf("item=only_valid").Should().Be(TokenVocabulary.OovId);
        TokenVocabulary.Fit(Log(), Set("train1", "train2"), minCount: 1).Tokens.Should().Equal("item=shared", "item=rare");
    }

    [Fact]
    public void A_token_seen_only_by_a_validation_user_encodes_as_oov()
    {
        var log = Log();
        var vocabulary = TokenVocabulary.Fit(log, Set("train1", "train2"), minCount: 1);
        using var scope = torch.NewDisposeScope();

        using var valid = log.EncodeAll(vocabulary, Set("valid"));

        valid.Tokens.shape.Should().Equal(1L, 32L, 1L);
        Longs(valid.Tokens)[..4].Should().Equal(TokenVocabulary.OovId, TokenVocabulary.OovId, 2, TokenVocabulary.PaddingId);
    }

    [Fact]
    public void Json_round_trip_keeps_ids_and_hash()
    {
        var vocabulary = TokenVocabulary.Fit(Log(), Set("train1", "train2", "valid"), minCount: 1);

        var back = TokenVocabulary.FromJson(vocabulary.ToJson(), "vocab.json");

        back.Tokens.Should().Equal(vocabulary.Tokens);
        back.Tokens.Should().Equal("item=shared", "item=only_valid", "item=rare");
        back.MinCount.Should().Be(1);
        back.ContentHash.Should().Be(vocabulary.ContentHash).And.MatchRegex("^[0-9a-f]{64}$");
        back.IdOf("item=rare").Should().Be(4);
    }

    [Fact]
    public void Content_hash_differs_for_another_vocabulary()
    {
        var all = TokenVocabulary.Fit(Log(), Set("train1", "train2", "valid"), minCount: 1);
        var train = TokenVocabulary.Fit(Log(), Set("train1", "train2"), minCount: 1);

        train.ContentHash.Should().NotBe(all.ContentHash);
        TokenVocabulary.Fit(Log(), Set("train1", "train2"), minCount: 1).ContentHash.Should().Be(train.ContentHash);
    }

    [Fact]
    public void FromJson_errors_name_the_source()
    {
        var vocabulary = TokenVocabulary.Fit(Log(), Set("train1", "train2"), minCount: 1);
        var edited = vocabulary.ToJson().Replace("item=rare", "item=other", StringComparison.Ordinal);

        var tampered = () => TokenVocabulary.FromJson(edited, "vocab.json");
        var broken = () => TokenVocabulary.FromJson("{ not json", "vocab.json");
        var other = () => TokenVocabulary.FromJson("{\"format\":\"x\"}", "vocab.json");

        tampered.Should().Throw<DataFormatException>().Which.Message.Should().StartWith("vocab.json:").And.Contain("content hash");
        broken.Should().Throw<DataFormatException>().Which.Message.Should().StartWith("vocab.json: not valid JSON");
        other.Should().Throw<DataFormatException>().Which.Message.Should().StartWith("vocab.json: not a token vocabulary");
    }
}
