namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Settings of <see cref="ContrastiveLoss"/>, with CLIP's defaults (the CLUE paper does not say
/// whether its temperature is fixed or learned): a learnable temperature starting at 0.07, the
/// logit scale 1/temperature capped at 100.
/// </summary>
public sealed record ContrastiveLossOptions
{
    /// <summary>The temperature τ (logits are cosine similarities divided by τ): the fixed value, or the learnable one's start. Default 0.07.</summary>
    public double Temperature { get; init; } = 0.07;

    /// <summary>Learn the temperature (as the log of the logit scale 1/τ). Default true.</summary>
    public bool LearnableTemperature { get; init; } = true;

    /// <summary>The largest logit scale 1/τ a learned temperature may reach (CLIP's cap, which keeps training stable). Default 100.</summary>
    public double MaxLogitScale { get; init; } = 100;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        Require(MaxLogitScale is > 0 and < double.PositiveInfinity, nameof(MaxLogitScale), "must be positive and finite");
        Require(Temperature is > 0 and < double.PositiveInfinity, nameof(Temperature), "must be positive and finite");
        Require(1 / Temperature <= MaxLogitScale, nameof(Temperature), "must be at least 1 / MaxLogitScale");
    }

    private void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }
}
