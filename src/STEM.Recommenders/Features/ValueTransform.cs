using System.Text.Json.Serialization;

namespace STEM.Recommenders.Features;

/// <summary>
/// A declarative numeric transform applied to a raw value before encoding. Declarative (not a
/// delegate) so that it is saved with the fitted pipeline and applied identically when serving.
/// </summary>
/// <param name="Kind">The transform.</param>
/// <param name="Argument">Its parameter: the divisor of <see cref="ValueTransformKind.FloorDivide"/>, the scale of <see cref="ValueTransformKind.Log2Bucket"/>.</param>
public sealed record ValueTransform(ValueTransformKind Kind, double Argument)
{
    /// <summary>floor(x / divisor), e.g. hour = floor(hourmin / 100).</summary>
    public static ValueTransform FloorDivide(double divisor) => new(ValueTransformKind.FloorDivide, divisor);

    /// <summary>floor(log2(x · scale + 1)), e.g. a duration bucket from milliseconds with scale 0.001.</summary>
    public static ValueTransform Log2Bucket(double scale) => new(ValueTransformKind.Log2Bucket, scale);

    /// <summary>Applies the transform; returns <see langword="null"/> when the input is outside its domain.</summary>
    public double? Apply(double value) => Kind switch
    {
        ValueTransformKind.FloorDivide => Math.Floor(value / Argument),
        ValueTransformKind.Log2Bucket => value * Argument + 1 > 0 ? Math.Floor(Math.Log2(value * Argument + 1)) : null,
        _ => throw new InvalidOperationException($"Unknown transform {Kind}."),
    };

    /// <summary>Checks the argument.</summary>
    /// <exception cref="ArgumentException">The divisor is zero or the scale not positive.</exception>
    public void Validate(string field)
    {
        if (Kind == ValueTransformKind.FloorDivide && Argument == 0)
        {
            throw new ArgumentException($"Feature '{field}': FloorDivide needs a non-zero divisor.");
        }

        if (Kind == ValueTransformKind.Log2Bucket && !(Argument > 0))
        {
            throw new ArgumentException($"Feature '{field}': Log2Bucket needs a positive scale.");
        }
    }
}

/// <summary>The kinds of <see cref="ValueTransform"/>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ValueTransformKind>))]
public enum ValueTransformKind
{
    /// <summary>floor(x / argument).</summary>
    FloorDivide,

    /// <summary>floor(log2(x · argument + 1)).</summary>
    Log2Bucket,
}
