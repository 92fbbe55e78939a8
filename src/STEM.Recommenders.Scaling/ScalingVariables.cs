namespace STEM.Recommenders.Scaling;

// Reads a ScalingVariable off a run and names it, for plots and reports.
internal static class ScalingVariables
{
    public static double Value(this ScalingRun run, ScalingVariable variable) => variable switch
    {
        ScalingVariable.Compute => run.Compute,
        ScalingVariable.TrainingUsers => run.TrainingUsers,
        ScalingVariable.Parameters => run.Parameters,
        ScalingVariable.NonEmbeddingParameters => run.NonEmbeddingParameters,
        ScalingVariable.BatchSize => run.BatchSize,
        ScalingVariable.SequenceLength => run.SequenceLength,
        ScalingVariable.Tokens => run.Tokens,
        _ => throw new ArgumentException($"Unknown scaling variable {variable}.", nameof(variable)),
    };

    public static string Label(this ScalingVariable variable) => variable switch
    {
        ScalingVariable.Compute => "compute (FLOPs)",
        ScalingVariable.TrainingUsers => "training users",
        ScalingVariable.Parameters => "parameters",
        ScalingVariable.NonEmbeddingParameters => "non-embedding parameters",
        ScalingVariable.BatchSize => "batch size",
        ScalingVariable.SequenceLength => "sequence length",
        ScalingVariable.Tokens => "tokens",
        _ => throw new ArgumentException($"Unknown scaling variable {variable}.", nameof(variable)),
    };

    public static string Symbol(this ScalingVariable variable) => variable switch
    {
        ScalingVariable.Compute => "C",
        ScalingVariable.TrainingUsers => "D",
        ScalingVariable.Parameters => "P",
        ScalingVariable.NonEmbeddingParameters => "N",
        ScalingVariable.BatchSize => "B",
        ScalingVariable.SequenceLength => "T",
        ScalingVariable.Tokens => "tokens",
        _ => throw new ArgumentException($"Unknown scaling variable {variable}.", nameof(variable)),
    };
}
