namespace STEM.Recommenders.Training.Weighting;

/// <summary>
/// A loss weighting as experiment files, the command line and <c>AddStemRecommenders</c> name it:
/// registered once with <see cref="LossWeightings.Register(ILossWeightingFactory)"/>, it validates
/// the <c>weighting</c> section and creates a fresh <see cref="ILossWeighting"/> for every training
/// run (a weighting holds per-run state and is disposed with the run).
/// </summary>
public interface ILossWeightingFactory
{
    /// <summary>The name in <c>weighting.name</c>, e.g. "gradnorm"; compared without regard to letter case.</summary>
    string Name { get; }

    /// <summary>One line for help texts and listings: what the weighting does and which settings it reads.</summary>
    string Description { get; }

    /// <summary>Checks the settings before any data is read.</summary>
    /// <param name="config">The weighting section.</param>
    /// <param name="taskNames">The tasks of the run when they are known before loading (the command line knows them), else <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">
    /// A setting is invalid; <see cref="ArgumentException.ParamName"/> names it, as the
    /// <see cref="WeightingConfig"/> property or as the section writes it (<c>nameof(WeightingConfig.Weights)</c>
    /// or "weights"), so the message can name <c>$.weighting.weights</c>.
    /// </exception>
    void Validate(WeightingConfig config, IReadOnlyList<string>? taskNames);

    /// <summary>Creates the weighting for one training run.</summary>
    ILossWeighting Create(WeightingConfig config);
}
