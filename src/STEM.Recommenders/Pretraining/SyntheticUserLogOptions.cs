namespace STEM.Recommenders.Pretraining;

/// <summary>Parameters of <see cref="SyntheticUserLogGenerator"/>.</summary>
public sealed record SyntheticUserLogOptions
{
    /// <summary>Number of users. Default 10,000.</summary>
    public int Users { get; init; } = 10_000;

    /// <summary>Number of items. Default 2,000.</summary>
    public int Items { get; init; } = 2_000;

    /// <summary>Number of latent topics (at most <see cref="Items"/>). Default 20.</summary>
    public int Topics { get; init; } = 20;

    /// <summary>Number of item categories. Default 16.</summary>
    public int Categories { get; init; } = 16;

    /// <summary>Topics in each user's interest mixture (at most <see cref="Topics"/>). Default 3.</summary>
    public int TopicsPerUser { get; init; } = 3;

    /// <summary>Mean events per user; counts are uniform in [1, 2·mean − 1]. Default 12.</summary>
    public double EventsPerUser { get; init; } = 12;

    /// <summary>Probability that an event is on the "main" service (else "other"). Default 0.6.</summary>
    public double MainServiceShare { get; init; } = 0.6;

    /// <summary>Probability that a "main" event's topic is uniform instead of from the user's interests. Default 0.1.</summary>
    public double MainNoise { get; init; } = 0.1;

    /// <summary>Probability that an "other" event's topic is uniform instead of from the user's interests. Default 0.3.</summary>
    public double OtherNoise { get; init; } = 0.3;

    /// <summary>Random seed. Default 2023.</summary>
    public int Seed { get; init; } = 2023;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        Require(Users >= 1, nameof(Users), "must be at least 1");
        Require(Items >= 1, nameof(Items), "must be at least 1");
        Require(Topics >= 1 && Topics <= Items, nameof(Topics), "must be in [1, Items]");
        Require(Categories >= 1, nameof(Categories), "must be at least 1");
        Require(TopicsPerUser >= 1 && TopicsPerUser <= Topics, nameof(TopicsPerUser), "must be in [1, Topics]");
        Require(EventsPerUser is >= 1 and <= 100_000, nameof(EventsPerUser), "must be in [1, 100000]");
        Require(MainServiceShare is > 0 and < 1, nameof(MainServiceShare), "must be in (0, 1)");
        Require(MainNoise is >= 0 and <= 1, nameof(MainNoise), "must be in [0, 1]");
        Require(OtherNoise is >= 0 and <= 1, nameof(OtherNoise), "must be in [0, 1]");
    }

    private void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }
}
