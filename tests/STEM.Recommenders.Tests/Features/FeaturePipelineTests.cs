using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using TorchSharp;

namespace STEM.Recommenders.Tests.Features;

public class FeaturePipelineTests
{
    private static readonly DataTable Train = CsvTableReader.Parse(
        "user,item,price,tags,click,like\n" +
        "u1,a,10,\"x,y\",1,0\n" +
        "u1,a,20,x,0,\n" +
        "u2,b,30,,1,1\n" +
        "u3,a,40,\"y,z,w\",0,0\n",
        "train.csv");

    private static FeatureSchema Schema(bool itemTaskSpecific = true) => new()
    {
        Features =
        [
            new CategoricalFeature { Name = "user", TaskSpecific = false },
            new CategoricalFeature { Name = "item", MinCount = 2, TaskSpecific = itemTaskSpecific },
            new NumericFeature { Name = "price" },
            new MultiValueFeature { Name = "tags", MaxLength = 2 },
        ],
        Tasks = [new TaskSpec { Name = "click" }, new TaskSpec { Name = "like" }],
        GroupColumn = "user",
    };

    private static long[] Ids(EncodedDataset d) => d.Ids.data<long>().ToArray();

    private static float[] Weights(EncodedDataset d) => d.SlotWeights!.data<float>().ToArray();

    [Fact]
    public void Layout_puts_task_specific_fields_first_in_one_global_id_space()
    {
        var pipeline = FeaturePipeline.Fit(Schema(), Train);
        var layout = pipeline.Layout;

        layout.Fields.Select(f => f.Name).Should().Equal("item", "price", "tags", "user");

        // item: OOV + "a" (b seen once < min-count 2); price: 1 row; tags: pad + OOV + x, y, z; user: OOV + 3.
        layout.Fields.Select(f => f.Rows).Should().Equal(2, 1, 5, 4);
        layout.Fields.Select(f => f.Offset).Should().Equal(0, 2, 3, 8);
        layout.Fields.Select(f => f.FirstSlot).Should().Equal(0, 1, 2, 4);
        layout.SlotCount.Should().Be(5);
        layout.TaskSpecificRows.Should().Be(8);
        layout.TotalRows.Should().Be(12);
        layout.SlotToField.Should().Equal(0, 1, 2, 2, 3);
    }

    [Fact]
    public void Encodes_vocabulary_min_count_oov_numeric_weights_and_pooled_multi_values()
    {
        var pipeline = FeaturePipeline.Fit(Schema(), Train);
        using var data = pipeline.Encode(Train, DatasetRole.Train);

        var ids = Ids(data);
        var weights = Weights(data);

        // Row 0: item a → 0+1; price row 2; tags x,y → 3+2, 3+3 (x and y seen twice, z once); user u1 → 8+1.
        ids[..5].Should().Equal(1, 2, 5, 6, 9);

        // Row 2: item b (below min-count) → OOV 0; no tags → the OOV slot with weight 1 then padding.
        ids[10..15].Should().Equal(0, 2, 4, 3, 10);
        weights[12..14].Should().Equal(1f, 0f);

        // Mean pooling: two tags → 1/2 each.
        weights[2..4].Should().Equal(0.5f, 0.5f);

        // Standardised price: mean 25, population std √125.
        weights[1].Should().BeApproximately((float)((10 - 25) / Math.Sqrt(125)), 1e-6f);
        weights[0].Should().Be(1f);
    }

    [Fact]
    public void Missing_labels_are_masked_and_groups_keep_raw_keys()
    {
        var pipeline = FeaturePipeline.Fit(Schema(), Train);
        using var data = pipeline.Encode(Train);

        data.Labels.data<float>().ToArray().Should().Equal(1, 0, 0, 0, 1, 1, 0, 0);
        data.LabelMask!.data<float>().ToArray().Should().Equal(1, 1, 1, 0, 1, 1, 1, 1);
        data.GroupIds!.data<long>().ToArray().Should().Equal(0, 0, 1, 2);
        data.GroupKeys.Should().Equal("u1", "u2", "u3");
    }

    [Fact]
    public void Encoders_are_fitted_on_the_training_split_only()
    {
        var valid = CsvTableReader.Parse("user,item,price,tags,click,like\nu9,c,10,q,1,0\n", "valid.csv");
        var pipeline = FeaturePipeline.Fit(Schema(), Train);

        using var data = pipeline.Encode(valid, DatasetRole.Validation);

        // Unseen user, item and tag all map to their field's OOV id.
        Ids(data).Should().Equal(0, 2, 4, 3, 8);
        data.Role.Should().Be(DatasetRole.Validation);
    }

    [Fact]
    public void Json_round_trip_encodes_identically()
    {
        var schema = Schema() with
        {
            Features =
            [
                .. Schema().Features,
                new CategoricalFeature { Name = "hashed", Column = "item", HashBuckets = 7 },
                new NumericFeature { Name = "price_bucket", Column = "price", Buckets = 3 },
                new CategoricalFeature { Name = "price_div", Column = "price", Transform = ValueTransform.FloorDivide(20) },
            ],
        };
        var pipeline = FeaturePipeline.Fit(schema, Train);
        var json = pipeline.ToJson();

        var reloaded = FeaturePipeline.FromJson(json);
        using var a = pipeline.Encode(Train);
        using var b = reloaded.Encode(Train);

        Ids(b).Should().Equal(Ids(a));
        Weights(b).Should().Equal(Weights(a));
        reloaded.ToJson().Should().Be(json);
        reloaded.Layout.TotalRows.Should().Be(pipeline.Layout.TotalRows);
    }

    [Fact]
    public void Bucketised_numeric_uses_training_quantiles()
    {
        var schema = new FeatureSchema
        {
            Features = [new NumericFeature { Name = "price", Buckets = 2 }],
            Tasks = [new TaskSpec { Name = "click" }],
        };
        var pipeline = FeaturePipeline.Fit(schema, Train);

        using var data = pipeline.Encode(Train);

        pipeline.Fitted[0].Boundaries.Should().Equal(30);
        Ids(data).Should().Equal(1, 1, 2, 2);
    }

    [Fact]
    public void Hashing_is_stable_across_runs()
    {
        var schema = new FeatureSchema
        {
            Features = [new CategoricalFeature { Name = "item", HashBuckets = 1000 }],
            Tasks = [new TaskSpec { Name = "click" }],
        };
        using var data = FeaturePipeline.Fit(schema, Train).Encode(Train);

        // FNV-1a of "a" mod 1000, plus 1 for the missing-value row.
        var expected = 1 + (long)(0xaf63dc4c8601ec8cUL % 1000);
        Ids(data)[0].Should().Be(expected);
    }

    [Fact]
    public void A_non_numeric_value_in_a_numeric_column_names_file_line_and_column()
    {
        var bad = CsvTableReader.Parse("user,item,price,tags,click,like\nu1,a,ten,x,1,0\n", "bad.csv");
        var pipeline = FeaturePipeline.Fit(Schema(), Train);

        var act = () => pipeline.Encode(bad);

        act.Should().Throw<DataFormatException>().WithMessage("bad.csv, line 2, column price: 'ten' is not a number (feature 'price')");
        Assert.Throws<DataFormatException>(() => pipeline.Encode(bad));
    }

    [Fact]
    public void Of_several_bad_rows_in_different_encoding_blocks_the_error_names_the_first()
    {
        // Rows are encoded in parallel blocks of 1,024; the error must still be the first bad row's.
        var text = new System.Text.StringBuilder("user,item,price,tags,click,like\n");
        for (var i = 0; i < 5000; i++)
        {
            var price = i is 1500 or 4500 ? $"bad{i}" : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append("u1,a,").Append(price).Append(",x,1,0\n");
        }

        var bad = CsvTableReader.Parse(text.ToString(), "bad.csv");
        var pipeline = FeaturePipeline.Fit(Schema(), Train);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var act = () => pipeline.Encode(bad);
            act.Should().Throw<DataFormatException>().WithMessage("bad.csv, line 1502, column price: 'bad1500' is not a number (feature 'price')");
        }
    }

    [Fact]
    public void A_label_that_is_not_0_or_1_names_file_line_and_column()
    {
        var bad = CsvTableReader.Parse("user,item,price,tags,click,like\nu1,a,1,x,1,0\nu1,a,1,x,2,0\n", "labels.csv");
        var pipeline = FeaturePipeline.Fit(Schema(), Train);

        var act = () => pipeline.Encode(bad);

        act.Should().Throw<DataFormatException>().WithMessage("labels.csv, line 3, column click: label '2' for task 'click' is neither positive (1) nor negative (0)");
    }

    [Fact]
    public void A_missing_feature_column_is_an_error_when_fitting()
    {
        var schema = Schema() with { Features = [new CategoricalFeature { Name = "city" }] };

        var act = () => FeaturePipeline.Fit(schema, Train);

        act.Should().Throw<DataFormatException>().WithMessage("train.csv, line 1, column city: column 'city' not found*");
    }

    [Fact]
    public void An_invalid_schema_names_the_field()
    {
        var schema = Schema() with { Features = [new MultiValueFeature { Name = "tags", MaxLength = 0 }] };

        var act = () => FeaturePipeline.Fit(schema, Train);

        act.Should().Throw<ArgumentException>().WithMessage("Feature 'tags': MaxLength must be at least 1.");
    }

    [Fact]
    public void Batches_cover_every_row_once_in_a_seeded_order()
    {
        using var data = FeaturePipeline.Fit(Schema(), Train).Encode(Train);

        var first = new List<long>();
        var second = new List<long>();
        foreach (var batch in data.Batches(3, shuffle: true, seed: 7))
        {
            first.AddRange(batch.Features.Ids[.., 4].data<long>().ToArray());
        }

        foreach (var batch in data.Batches(3, shuffle: true, seed: 7))
        {
            second.AddRange(batch.Features.Ids[.., 4].data<long>().ToArray());
        }

        first.Should().Equal(second);
        first.Order().Should().Equal(9, 9, 10, 11);
    }
}
