using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Tests.Datasets;

public class PresetTests
{
    private static KuaiRandOptions SampleOptions => new()
    {
        LogPath = TestPaths.Sample("log.csv.gz"),
        UserFeaturesPath = TestPaths.Sample("user_features.csv.gz"),
        VideoFeaturesPath = TestPaths.Sample("video_features.csv.gz"),
    };

    [Fact]
    public async Task KuaiRand_bundled_sample_splits_by_date_into_36_fields()
    {
        var splits = await KuaiRandPreset.LoadAsync(SampleOptions);

        splits.Train.RowCount.Should().Be(2565 + 2460 + 2424 + 2420 + 2846);
        splits.Validation.RowCount.Should().Be(3662);
        splits.Test.RowCount.Should().Be(3630);
        splits.Schema.Features.Should().HaveCount(36);
        splits.Schema.Tasks.Select(t => t.Name).Should().Equal("is_click", "long_view", "is_like");

        using var encoded = splits.Encode();
        encoded.Train.Layout.FieldCount.Should().Be(36);
        encoded.Train.Layout.SlotCount.Should().Be(36 + 3);
        var rates = encoded.Train.PositiveRates();
        rates[0].Should().BeInRange(0.3, 0.6);
        rates[2].Should().BeInRange(0.003, 0.05);
    }

    [Fact]
    public async Task KuaiRand_derived_fields_follow_their_definitions()
    {
        var splits = await KuaiRandPreset.LoadAsync(SampleOptions);
        var pipeline = FeaturePipeline.Fit(splits.Schema, splits.Train);

        var hour = pipeline.Fitted.Single(f => f.Spec.Name == "hour").Vocabulary!;
        var duration = pipeline.Fitted.Single(f => f.Spec.Name == "duration_bucket").Vocabulary!;

        hour.Select(int.Parse).Should().OnlyContain(h => h >= 0 && h <= 23);
        duration.Select(int.Parse).Should().OnlyContain(d => d >= 0 && d <= 20);

        // A 87,433 ms video is floor(log2(87.433 + 1)) = 6.
        ValueTransform.Log2Bucket(0.001).Apply(87433).Should().Be(6);
        ValueTransform.FloorDivide(100).Apply(1359).Should().Be(13);
    }

    [Fact]
    public async Task KuaiRand_user_side_task_specific_embeddings_cover_user_id_and_the_27_user_fields_only()
    {
        var splits = await KuaiRandPreset.LoadAsync(SampleOptions with { TaskSpecificFields = KuaiRandTaskSpecificFields.UserSide });
        using var encoded = splits.Encode();

        var layout = encoded.Train.Layout;
        layout.TaskSpecificFieldCount.Should().Be(27);
        splits.Schema.Features.Where(f => f.TaskSpecific).Select(f => f.Name).Should().Equal(KuaiRandPreset.UserSideFields);
        splits.Schema.Features.Where(f => !f.TaskSpecific).Select(f => f.Name).Should().Equal(
            "video_id", "tab", "hour", "author_id", "video_type", "upload_type", "music_type", "tag", "duration_bucket");
        layout.TaskSpecificRows.Should().BeLessThan(layout.TotalRows);

        var none = await KuaiRandPreset.LoadAsync(SampleOptions with { TaskSpecificEmbeddings = false, TaskSpecificFields = KuaiRandTaskSpecificFields.UserSide });
        none.Schema.Features.Should().OnlyContain(f => !f.TaskSpecific, "off means off, whatever the field set");
    }

    [Fact]
    public async Task KuaiRand_tag_as_one_token_is_one_slot_whose_values_are_whole_cells()
    {
        var pooled = await KuaiRandPreset.LoadAsync(SampleOptions);
        var token = await KuaiRandPreset.LoadAsync(SampleOptions with { TagAsOneToken = true });
        using var encoded = token.Encode();

        encoded.Train.Layout.SlotCount.Should().Be(36, "tag is one slot instead of four");
        var tokenTags = FeaturePipeline.Fit(token.Schema, token.Train).Fitted.Single(f => f.Spec.Name == "tag").Vocabulary!;
        var pooledTags = FeaturePipeline.Fit(pooled.Schema, pooled.Train).Fitted.Single(f => f.Spec.Name == "tag").Vocabulary!;
        tokenTags.Should().Contain(v => v.Contains(','), "a cell of several tags is one value");
        pooledTags.Should().NotContain(v => v.Contains(','));
        tokenTags.Count.Should().BeGreaterThan(pooledTags.Count, "combinations of tags outnumber the tags");
    }

    [Fact]
    public async Task KuaiRand_without_side_tables_leaves_their_fields_out_of_vocabulary()
    {
        var splits = await KuaiRandPreset.LoadAsync(SampleOptions with { UserFeaturesPath = null, VideoFeaturesPath = null });
        var pipeline = FeaturePipeline.Fit(splits.Schema, splits.Train);

        pipeline.Fitted.Single(f => f.Spec.Name == "author_id").Vocabulary.Should().BeEmpty();
        pipeline.Fitted.Single(f => f.Spec.Name == "user_id").Vocabulary.Should().NotBeEmpty();
    }

    [SharedKuaiRandFact]
    public async Task KuaiRand_shared_log_has_the_documented_rows_per_day()
    {
        var splits = await KuaiRandPreset.LoadAsync(new KuaiRandOptions
        {
            LogPath = TestPaths.KuaiRand("log_20220425_20220501.csv.gz"),
            UserFeaturesPath = TestPaths.KuaiRand("user_features_pure.csv.gz"),
            VideoFeaturesPath = TestPaths.KuaiRand("video_features_basic_pure.csv.gz"),
        });

        splits.Train.RowCount.Should().Be(14911 + 14530 + 14328 + 13972 + 15839);
        splits.Validation.RowCount.Should().Be(21204);
        splits.Test.RowCount.Should().Be(20790);
    }

    [SharedCensusFact]
    public async Task Census_income_has_the_mmoe_tasks_and_a_seeded_split()
    {
        var splits = await CensusIncomePreset.LoadAsync(new CensusIncomeOptions { Path = TestPaths.Census });

        (splits.Train.RowCount + splits.Validation.RowCount + splits.Test.RowCount).Should().Be(60000);
        splits.Validation.RowCount.Should().Be(9000);
        using var encoded = splits.Encode();
        var rates = encoded.Train.PositiveRates();
        rates[0].Should().BeInRange(0.04, 0.09, "about 6% of census respondents earn over 50K");
        rates[1].Should().BeInRange(0.35, 0.50, "about 43% have never married");
        encoded.Train.Layout.FieldCount.Should().Be(39);
    }

    [Fact]
    public void Synthetic_task_correlation_follows_the_knob()
    {
        static double Agreement(double rho)
        {
            var (table, _) = SyntheticMultiTaskGenerator.Generate(new SyntheticOptions { Rows = 4000, Correlation = rho, SineTerms = 0, Seed = 1 });
            var a = table.Column("task0");
            var b = table.Column("task1");
            return Enumerable.Range(0, table.RowCount).Count(r => a[r] == b[r]) / (double)table.RowCount;
        }

        Agreement(0.95).Should().BeGreaterThan(0.85);
        Agreement(0.0).Should().BeInRange(0.4, 0.6);
        Agreement(-0.95).Should().BeLessThan(0.15);
    }

    [Fact]
    public void An_unknown_preset_is_an_error_listing_the_known_ones()
    {
        var act = () => DatasetPresets.Resolve("movielens");

        act.Should().Throw<ArgumentException>().WithMessage("Unknown dataset preset 'movielens'; known presets: kuairand, census-income, synthetic.*");
        DatasetPresets.Resolve("KuaiRand").Should().Be("kuairand");
    }

    [Fact]
    public void A_date_that_is_not_a_day_names_the_file_line_and_column()
    {
        var log = CsvTableReader.Parse("user_id,date\n1,20220425\n2,yesterday\n", "log.csv");

        var act = () => DaySplit.Split(log, "date", null, [20220430], [20220501]);

        act.Should().Throw<DataFormatException>().WithMessage("log.csv, line 3, column date: 'yesterday' is not a date of the form yyyyMMdd");
    }
}
