using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// UCI census-income (KDD), the MMoE paper's dataset: tasks "income &gt; 50K" and "never married";
/// the other 39 attributes (all but the instance weight) as features, seven of them numeric.
/// </summary>
public static class CensusIncomePreset
{
    /// <summary>The preset's name in configuration and on the command line.</summary>
    public const string Name = "census-income";

    /// <summary>The 42 column names, in file order (from the dataset's census-income.names).</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "age", "class_of_worker", "detailed_industry_recode", "detailed_occupation_recode", "education",
        "wage_per_hour", "enroll_in_edu_inst_last_wk", "marital_stat", "major_industry_code",
        "major_occupation_code", "race", "hispanic_origin", "sex", "member_of_a_labor_union",
        "reason_for_unemployment", "full_or_part_time_employment_stat", "capital_gains", "capital_losses",
        "dividends_from_stocks", "tax_filer_stat", "region_of_previous_residence",
        "state_of_previous_residence", "detailed_household_and_family_stat",
        "detailed_household_summary_in_household", "instance_weight", "migration_code_change_in_msa",
        "migration_code_change_in_reg", "migration_code_move_within_reg", "live_in_this_house_1_year_ago",
        "migration_prev_res_in_sunbelt", "num_persons_worked_for_employer", "family_members_under_18",
        "country_of_birth_father", "country_of_birth_mother", "country_of_birth_self", "citizenship",
        "own_business_or_self_employed", "fill_inc_questionnaire_for_veterans_admin", "veterans_benefits",
        "weeks_worked_in_year", "year", "income",
    ];

    /// <summary>The numeric attributes; every other feature is categorical.</summary>
    public static IReadOnlyList<string> NumericColumns { get; } =
    [
        "age", "wage_per_hour", "capital_gains", "capital_losses", "dividends_from_stocks",
        "num_persons_worked_for_employer", "weeks_worked_in_year",
    ];

    /// <summary>The read options for the raw files.</summary>
    public static CsvReadOptions ReadOptions { get; } = new() { HasHeader = false, ColumnNames = Columns, TrimWhitespace = true };

    /// <summary>The schema: income &gt; 50K and never-married tasks, as in the MMoE paper.</summary>
    public static FeatureSchema Schema(bool taskSpecificEmbeddings = true)
    {
        var excluded = new HashSet<string> { "instance_weight", "income", "marital_stat" };
        var numeric = new HashSet<string>(NumericColumns);
        var features = Columns.Where(c => !excluded.Contains(c))
            .Select(c => numeric.Contains(c)
                ? (FeatureSpec)new NumericFeature { Name = c, TaskSpecific = taskSpecificEmbeddings }
                : new CategoricalFeature { Name = c, TaskSpecific = taskSpecificEmbeddings })
            .ToArray();
        return new FeatureSchema
        {
            Features = features,
            Tasks =
            [
                new TaskSpec { Name = "income_50k", Column = "income", PositiveValues = ["50000+."], NegativeValues = ["- 50000."], AllowMissing = false },
                new TaskSpec { Name = "never_married", Column = "marital_stat", PositiveValues = ["Never married"], NegativeValues = null, AllowMissing = false },
            ],
        };
    }

    /// <summary>Reads the files and splits the rows at random with a fixed seed.</summary>
    public static async Task<PresetSplits> LoadAsync(CensusIncomeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ValidationFraction <= 0 || options.TestFraction <= 0 || options.ValidationFraction + options.TestFraction >= 1)
        {
            throw new ArgumentException("ValidationFraction and TestFraction must be positive and sum to less than 1.", nameof(options));
        }

        var table = await CsvTableReader.ReadAsync(options.Path, ReadOptions, cancellationToken).ConfigureAwait(false);
        var order = Enumerable.Range(0, table.RowCount).ToArray();
        new Random(options.Seed).Shuffle(order);
        var validation = (int)(table.RowCount * options.ValidationFraction);
        var test = (int)(table.RowCount * options.TestFraction);
        return new PresetSplits(
            Name,
            Schema(options.TaskSpecificEmbeddings),
            table.Select(order[(validation + test)..]),
            table.Select(order[..validation]),
            table.Select(order[validation..(validation + test)]));
    }
}
