using System.Globalization;

namespace STEM.Recommenders.Scaling;

// Number formats shared by plots, verdicts and reports, so that the same value reads the same everywhere.
internal static class ScalingFormat
{
    // 1234567 → "1.23M": parameter and user counts.
    public static string Count(double value)
    {
        var ci = CultureInfo.InvariantCulture;
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e12 => (value / 1e12).ToString("0.##", ci) + "T",
            >= 1e9 => (value / 1e9).ToString("0.##", ci) + "G",
            >= 1e6 => (value / 1e6).ToString("0.##", ci) + "M",
            >= 1e3 => (value / 1e3).ToString("0.##", ci) + "k",
            _ => value.ToString("0.##", ci),
        };
    }

    // 3e15 → "3e15", 0.05 → "0.05": tick labels and FLOP counts, where k/M/G would be ambiguous.
    public static string Scientific(double value)
    {
        var ci = CultureInfo.InvariantCulture;
        if (value == 0)
        {
            return "0";
        }

        // A degenerate fit (a flat law has x0 = ∞) must read as such, not as "NaNe2147483647".
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "n/a" : value > 0 ? "∞" : "−∞";
        }

        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)) + 1e-9);
        if (exponent is >= -2 and <= 4)
        {
            return value.ToString("0.###", ci);
        }
        var mantissa = value / Math.Pow(10, exponent);
        return mantissa.ToString("0.##", ci) + "e" + exponent.ToString(ci);
    }
}
