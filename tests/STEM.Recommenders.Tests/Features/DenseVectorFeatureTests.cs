using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Features;

public class DenseVectorFeatureTests
{
    // Users u1 and u2 have vectors; u3 has none (an unmatched join leaves its components empty).
    private static readonly DataTable Log = CsvTableReader.Parse(
        "user,item,click\n" +
        "u1,a,1\n" +
        "u2,b,0\n" +
        "u3,a,1\n" +
        "u1,b,0\n",
        "log.csv");

    private static readonly DataTable Vectors = CsvTableReader.Parse(
        "user,v0,v1\n" +
        "u1,1,4\n" +
        "u2,3,8\n",
        "vectors.csv");

    private static DataTable Joined => Log.LeftJoin(Vectors, "user");

    private static FeatureSchema Schema(bool standardize = true) => new()
    {
        Features =
        [
            new CategoricalFeature { Name = "item" },
            new DenseVectorFeature { Name = "user_vector", Columns = ["v0", "v1"], Standardize = standardize },
        ],
        Tasks = [new TaskSpec { Name = "click" }],
    };

    [Fact]
    public void Encodes_standardised_components_as_weights_and_a_missing_flag()
    {
        var pipeline = FeaturePipeline.Fit(Schema(), Joined);
        var field = pipeline.Layout.Fields.Single(f => f.Name == "user_vector");
        field.TaskSpecific.Should().BeFalse("a pretrained vector enters on the shared path by default");
        field.Rows.Should().Be(3);
        field.SlotCount.Should().Be(3);

        using var data = pipeline.Encode(Joined);
        var ids = data.Ids.data<long>().ToArray();
        var weights = data.SlotWeights!.data<float>().ToArray();
        var stride = pipeline.Layout.SlotCount;

        // Training rows with a vector: u1 (1,4), u2 (3,8), u1 (1,4): mean (5/3, 16/3), population std.
        var mean0 = 5.0 / 3;
        var std0 = Math.Sqrt(((1 - mean0) * (1 - mean0) * 2 + ((3 - mean0) * (3 - mean0))) / 3);
        var mean1 = 16.0 / 3;
        var std1 = Math.Sqrt(((4 - mean1) * (4 - mean1) * 2 + ((8 - mean1) * (8 - mean1))) / 3);
        for (var r = 0; r < 4; r++)
        {
            var at = (r * stride) + field.FirstSlot;
            ids.Skip(at).Take(3).Should().Equal(field.Offset, field.Offset + 1, field.Offset + 2);
        }

        weights[(0 * stride) + field.FirstSlot].Should().BeApproximately((float)((1 - mean0) / std0), 1e-5f);
        weights[(1 * stride) + field.FirstSlot + 1].Should().BeApproximately((float)((8 - mean1) / std1), 1e-5f);
        weights[(0 * stride) + field.FirstSlot + 2].Should().Be(0f, "u1 has a vector");

        // u3 has no vector: zero components and the missing flag.
        weights.Skip((2 * stride) + field.FirstSlot).Take(3).Should().Equal(0f, 0f, 1f);
    }

    [Fact]
    public void Without_standardisation_the_raw_components_are_the_weights_and_json_round_trips()
    {
        var pipeline = FeaturePipeline.Fit(Schema(standardize: false), Joined);
        var reloaded = FeaturePipeline.FromJson(pipeline.ToJson());
        using var data = reloaded.Encode(Joined);
        var field = reloaded.Layout.Fields.Single(f => f.Name == "user_vector");
        var weights = data.SlotWeights!.data<float>().ToArray();
        var stride = reloaded.Layout.SlotCount;
        weights.Skip((1 * stride) + field.FirstSlot).Take(3).Should().Equal(3f, 8f, 0f);
        reloaded.Schema.Features[1].Should().BeOfType<DenseVectorFeature>().Which.Columns.Should().Equal("v0", "v1");
    }

    [Fact]
    public void A_partly_missing_vector_names_the_file_line_and_column()
    {
        var broken = CsvTableReader.Parse("user,v0,v1\nu1,1,\nu2,3,8\n", "vectors.csv");
        var act = () => FeaturePipeline.Fit(Schema(), Log.LeftJoin(broken, "user"));
        act.Should().Throw<DataFormatException>().WithMessage("*vectors.csv*line 2*v1*1 of 2 components missing*");
    }

    [Fact]
    public void A_non_numeric_component_names_the_file_line_and_column()
    {
        var broken = CsvTableReader.Parse("user,v0,v1\nu1,1,4\nu2,x,8\n", "vectors.csv");
        var act = () => FeaturePipeline.Fit(Schema(), Log.LeftJoin(broken, "user"));
        act.Should().Throw<DataFormatException>().WithMessage("*vectors.csv*line 3*v0*not a number*");
    }

    [Fact]
    public void A_missing_component_column_is_reported_before_fitting()
    {
        var schema = Schema() with { Features = [new DenseVectorFeature { Name = "user_vector", Columns = ["v0", "v9"] }] };
        var act = () => FeaturePipeline.Fit(schema, Joined);
        act.Should().Throw<DataFormatException>().WithMessage("*v9*");
    }

    [Fact]
    public void Every_model_reads_the_vector_through_its_embedding_bank_and_the_vector_changes_the_output()
    {
        var pipeline = FeaturePipeline.Fit(Schema(standardize: false), Joined);
        using var data = pipeline.Encode(Joined);
        foreach (var name in ModelCatalog.Names)
        {
            torch.manual_seed(1);
            using var model = ModelCatalog.Create(name, pipeline.Layout, pipeline.TaskNames);
            model.TorchModule.eval();
            using var scope = NewDisposeScope();
            var batch = data.GetBatch(arange(4L));
            var logits = model.Forward(batch.Features).Logits;

            // Scaling u1's vector changes u1's score (the vector reaches the model) ...
            var weights = batch.Features.SlotWeights!.clone();
            var field = pipeline.Layout.Fields.Single(f => f.Name == "user_vector");
            weights[0, field.FirstSlot] = weights[0, field.FirstSlot] * 1000;
            weights[0, field.FirstSlot + 1] = weights[0, field.FirstSlot + 1] * 1000;
            var changed = model.Forward(new FeatureBatch(batch.Features.Ids, weights)).Logits;
            (changed[0] - logits[0]).abs().max().item<float>().Should().BeGreaterThan(0f, $"{name} must read the dense vector");

            // ... and leaves the other rows alone.
            (changed[1] - logits[1]).abs().max().item<float>().Should().Be(0f, name);
        }
    }
}
