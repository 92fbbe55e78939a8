using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Divides users into train, validation and test by a stable hash of the user key, so a user
/// stays in the same split across runs, machines and data versions (a user seen again next week
/// does not leak from test into training). The hash is FNV-1a 64 over the key's UTF-8 bytes
/// (offset 14695981039346656037, prime 1099511628211), then the MurmurHash3 fmix64 finaliser;
/// its top 53 bits as u in [0, 1) pick the split: train when u &lt; TrainFraction, validation when
/// u &lt; TrainFraction + ValidationFraction, else test.
/// </summary>
public sealed class UserSplit
{
    private UserSplit(IReadOnlySet<string> train, IReadOnlySet<string> validation, IReadOnlySet<string> test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>The training users.</summary>
    public IReadOnlySet<string> Train { get; }

    /// <summary>The validation users.</summary>
    public IReadOnlySet<string> Validation { get; }

    /// <summary>The test users.</summary>
    public IReadOnlySet<string> Test { get; }

    /// <summary>Splits <paramref name="users"/> (duplicates are ignored).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static UserSplit Create(IEnumerable<string> users, UserSplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        options ??= new UserSplitOptions();
        options.Validate();
        var train = new HashSet<string>(StringComparer.Ordinal);
        var validation = new HashSet<string>(StringComparer.Ordinal);
        var test = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            var set = RoleOf(user, options) switch
            {
                DatasetRole.Train => train,
                DatasetRole.Validation => validation,
                _ => test,
            };
            set.Add(user);
        }

        return new UserSplit(train, validation, test);
    }

    /// <summary>The split of one user: <see cref="DatasetRole.Train"/>, <see cref="DatasetRole.Validation"/> or <see cref="DatasetRole.Test"/>.</summary>
    public static DatasetRole RoleOf(string user, UserSplitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        options ??= new UserSplitOptions();
        var u = StableHash.ToUnit(StableHash.Mix(StableHash.Fnv1a(user)));
        if (u < options.TrainFraction)
        {
            return DatasetRole.Train;
        }

        return u < options.TrainFraction + options.ValidationFraction ? DatasetRole.Validation : DatasetRole.Test;
    }

    /// <summary>FNV-1a 64 of the key's UTF-8 bytes (without the finaliser), for reproducing the split elsewhere.</summary>
    public static ulong Fnv1a64(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return StableHash.Fnv1a(key);
    }
}
