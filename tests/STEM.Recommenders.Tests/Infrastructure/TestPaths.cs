namespace STEM.Recommenders.Tests.Infrastructure;

/// <summary>A fact that is skipped, with a message saying why, when ../shared/data/kuairand-pure is absent.</summary>
public sealed class SharedKuaiRandFactAttribute : FactAttribute
{
    public SharedKuaiRandFactAttribute()
    {
        if (!TestPaths.HasSharedKuaiRand)
        {
            Skip = $"Shared KuaiRand data not found at {TestPaths.SharedData}/kuairand-pure (set STEM_SHARED_DATA to run this test).";
        }
    }
}

/// <summary>A fact that is skipped, with a message saying why, when the shared census-income file is absent.</summary>
public sealed class SharedCensusFactAttribute : FactAttribute
{
    public SharedCensusFactAttribute()
    {
        if (!TestPaths.HasSharedCensus)
        {
            Skip = $"Shared census-income data not found at {TestPaths.Census} (set STEM_SHARED_DATA to run this test).";
        }
    }
}
