namespace STEM.Recommenders.Pretraining;

/// <summary>Fractions of users in the train, validation and test splits of <see cref="UserSplit"/>.</summary>
public sealed record UserSplitOptions
{
    /// <summary>Fraction of users in training. Default 0.8.</summary>
    public double TrainFraction { get; init; } = 0.8;

    /// <summary>Fraction of users in validation. Default 0.1.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Fraction of users in test. Default 0.1.</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A fraction is outside [0, 1] or they do not sum to 1; the message names the option.</exception>
    public void Validate()
    {
        Require(TrainFraction is >= 0 and <= 1, nameof(TrainFraction), "must be in [0, 1]");
        Require(ValidationFraction is >= 0 and <= 1, nameof(ValidationFraction), "must be in [0, 1]");
        Require(TestFraction is >= 0 and <= 1, nameof(TestFraction), "must be in [0, 1]");
        Require(Math.Abs(TrainFraction + ValidationFraction + TestFraction - 1) < 1e-9, nameof(TestFraction), "must make the three fractions sum to 1");
    }

    private void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }
}
