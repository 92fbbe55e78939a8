using System.Text.RegularExpressions;
using STEM.Recommenders.Data;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.EncodedData;

/// <summary>
/// Layout checks compare what the ids stand for (vocabulary hashes), not only counts: two pipelines
/// fitted on data with the same vocabulary sizes but other values give the same id another value.
/// </summary>
public class LayoutIdentityTests
{
    private static readonly FeatureSchema Schema = new()
    {
        Features =
        [
            new CategoricalFeature { Name = "user" },
            new CategoricalFeature { Name = "item", TaskSpecific = false },
            new NumericFeature { Name = "price_bucket", Column = "price", Buckets = 3 },
            new NumericFeature { Name = "age" },
        ],
        Tasks = [new TaskSpec { Name = "click" }, new TaskSpec { Name = "like" }],
    };

    private static DataTable Table(string name, string[] users, string[] items, double priceScale = 1)
    {
        var rows = 24;
        return DataTable.FromColumns(name,
        [
            new("user", Enumerable.Range(0, rows).Select(r => (string?)users[r % users.Length]).ToArray()),
            new("item", Enumerable.Range(0, rows).Select(r => (string?)items[r % items.Length]).ToArray()),
            new("price", Enumerable.Range(0, rows).Select(r => (string?)(r * priceScale).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
            new("age", Enumerable.Range(0, rows).Select(r => (string?)(20 + r).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
            new("click", Enumerable.Range(0, rows).Select(r => (string?)(r % 2 == 0 ? "1" : "0")).ToArray()),
            new("like", Enumerable.Range(0, rows).Select(r => (string?)(r % 3 == 0 ? "1" : "0")).ToArray()),
        ]);
    }

    private static readonly string[] UsersA = ["ann", "bob", "cid"];
    private static readonly string[] UsersB = ["dan", "eve", "fay"];
    private static readonly string[] Items = ["i1", "i2", "i3", "i4"];

    private static Mmoe Model(FeatureLayout layout)
    {
        manual_seed(4);
        return new Mmoe(layout, ["click", "like"], (MmoeOptions)TinyData.Small(Mmoe.Name));
    }

    [Fact]
    public void Pipelines_with_equal_vocabulary_sizes_but_other_values_are_refused_naming_the_field()
    {
        var a = FeaturePipeline.Fit(Schema, Table("a.csv", UsersA, Items));
        var b = FeaturePipeline.Fit(Schema, Table("b.csv", UsersB, Items));
        a.Layout.TotalRows.Should().Be(b.Layout.TotalRows);
        a.Layout.Fields.Select(f => (f.Name, f.Rows, f.SlotCount)).Should().Equal(b.Layout.Fields.Select(f => (f.Name, f.Rows, f.SlotCount)));

        using var model = Model(a.Layout);
        var create = () => ModelArtifact.Create(model, b, ownsModel: false);
        create.Should().Throw<ArgumentException>().WithMessage(
            "The model was built for another feature layout than the pipeline's: field 0 'user' has 4 rows in both but another vocabulary: hash * in the model, * in the pipeline*");

        using var train = b.Encode(Table("b.csv", UsersB, Items), DatasetRole.Train);
        using var validation = b.Encode(Table("b-val.csv", UsersB, Items), DatasetRole.Validation);
        var fit = () => new Trainer(new TrainerOptions { Epochs = 1 }).Fit(model, train, validation);
        fit.Should().Throw<ArgumentException>().WithMessage("The train split was encoded with another feature layout than the model's: field 0 'user' has 4 rows in both but another vocabulary*");
    }

    [Fact]
    public void The_hash_depends_on_every_value_its_order_and_its_boundaries()
    {
        static string? Hash(string[]? vocabulary, double[]? boundaries = null) => VocabularyHash.Of(new FittedFeature
        {
            Spec = new CategoricalFeature { Name = "f" },
            Vocabulary = vocabulary,
            Boundaries = boundaries,
        });

        Hash(["a", "b"]).Should().Be(Hash(["a", "b"])).And.MatchRegex("^[0-9a-f]{16}$");
        Hash(["a", "b"]).Should().NotBe(Hash(["b", "a"]), "the same values in another order give ids other meanings");
        Hash(["ab", "c"]).Should().NotBe(Hash(["a", "bc"]), "entries are length-prefixed");
        Hash(["a"]).Should().NotBe(Hash(["a", ""]));
        Hash([]).Should().NotBe(Hash(null, []), "a vocabulary and boundaries are told apart");
        Hash(null, [1.0, 2.0]).Should().NotBe(Hash(null, [1.0, 2.5]));
        Hash(null, [1.0, 2.0]).Should().NotBe(Hash(null, [2.0, 1.0]));
        Hash(null).Should().BeNull();
    }

    [Fact]
    public void Other_bucket_boundaries_are_refused_and_fields_without_a_vocabulary_have_no_hash()
    {
        var a = FeaturePipeline.Fit(Schema, Table("a.csv", UsersA, Items));
        var b = FeaturePipeline.Fit(Schema, Table("b.csv", UsersA, Items, priceScale: 10));

        a.Layout.Fields.Single(f => f.Name == "age").VocabularyHash.Should().BeNull("a standardised number has one row whatever it was fitted on");
        a.Layout.Fields.Single(f => f.Name == "price_bucket").VocabularyHash.Should().MatchRegex("^[0-9a-f]{16}$");
        a.Layout.DifferenceFrom(b.Layout, "a", "b").Should().Match("field 1 'price_bucket' has * rows in both but another vocabulary: hash * in a, * in b*");
    }

    [Fact]
    public void Equal_fits_a_reloaded_pipeline_and_a_layout_without_hashes_are_accepted()
    {
        var a = FeaturePipeline.Fit(Schema, Table("a.csv", UsersA, Items));
        var again = FeaturePipeline.Fit(Schema, Table("again.csv", UsersA, Items));
        var reloaded = FeaturePipeline.FromJson(a.ToJson());

        a.Layout.Fields.Where(f => f.Name is "user" or "item").Should().OnlyContain(f => f.VocabularyHash != null && f.VocabularyHash.Length == 16);
        a.Layout.DifferenceFrom(again.Layout, "a", "again").Should().BeNull();
        reloaded.Layout.Fields.Select(f => f.VocabularyHash).Should().Equal(a.Layout.Fields.Select(f => f.VocabularyHash));

        // Counts alone (custom data, FeatureLayout.Categorical, an older cache): nothing to compare.
        var countsOnly = new FeatureLayout(a.Layout.Fields.Select(f => (f.Name, f.Rows, f.SlotCount, f.TaskSpecific)));
        countsOnly.Fields.Should().OnlyContain(f => f.VocabularyHash == null);
        countsOnly.DifferenceFrom(a.Layout, "counts", "a").Should().BeNull();
        a.Layout.DifferenceFrom(countsOnly, "a", "counts").Should().BeNull();
        using var model = Model(countsOnly);
        using var artifact = ModelArtifact.Create(model, a, ownsModel: false);
        artifact.Pipeline.Should().BeSameAs(a);
    }

    [Fact]
    public void A_cache_records_the_hashes_and_a_cache_written_without_them_still_opens()
    {
        var a = FeaturePipeline.Fit(Schema, Table("a.csv", UsersA, Items));
        var directory = Path.Combine(TestPaths.TempDirectory(), "cache");
        var source = Path.Combine(TestPaths.TempDirectory(), "a.csv");
        File.WriteAllText(source, "x");
        using (var builder = new EncodedCacheBuilder(a, directory, DatasetRole.Train))
        {
            builder.Append(Table("a.csv", UsersA, Items));
            builder.Complete([source]);
        }

        using (var cache = EncodedCache.Open(directory))
        {
            cache.Layout.Fields.Select(f => f.VocabularyHash).Should().Equal(a.Layout.Fields.Select(f => f.VocabularyHash));
            cache.Layout.DifferenceFrom(a.Layout, "the cache", "a").Should().BeNull();
            var b = FeaturePipeline.Fit(Schema, Table("b.csv", UsersB, Items));
            cache.Layout.DifferenceFrom(b.Layout, "the cache", "b").Should().StartWith("field 0 'user' has 4 rows in both but another vocabulary");
        }

        // A manifest from before hashes were recorded has no "vocabularyHash": it opens, compares by counts.
        var manifest = Path.Combine(directory, EncodedCacheManifest.FileName);
        var text = File.ReadAllText(manifest);
        text.Should().Contain("\"vocabularyHash\"");
        File.WriteAllText(manifest, Regex.Replace(text, ",\\s*\"vocabularyHash\": (null|\"[0-9a-f]+\")", string.Empty));
        File.ReadAllText(manifest).Should().NotContain("vocabularyHash");
        using var old = EncodedCache.Open(directory);
        old.Layout.Fields.Should().OnlyContain(f => f.VocabularyHash == null);
        old.Layout.DifferenceFrom(a.Layout, "the old cache", "a").Should().BeNull();
    }
}
