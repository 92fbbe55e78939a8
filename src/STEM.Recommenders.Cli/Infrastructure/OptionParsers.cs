using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Option factories whose parsers check ranges and formats, so that every bad value is a parse
/// error that names the option (System.CommandLine's own conversion messages name only the type).
/// </summary>
internal static class OptionParsers
{
    public static Option<int?> Int(string name, string description, int minimum, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = "N",
        CustomParser = r => ParseInt(r, name, minimum),
    };

    public static Option<int> Int(string name, string description, int minimum, int defaultValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r => ParseInt(r, name, minimum) ?? defaultValue,
    };

    public static Option<long?> Long(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = r =>
        {
            if (Single(r) is not { } token)
            {
                return null;
            }

            if (long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            r.AddError($"{name}: '{token}' is not an integer");
            return null;
        },
    };

    public static Option<double?> Double(string name, string description, double minimum, double maximum, bool exclusiveMinimum, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = "X",
        CustomParser = r =>
        {
            if (Single(r) is not { } token)
            {
                return null;
            }

            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                r.AddError($"{name}: '{token}' is not a number");
                return null;
            }

            var low = exclusiveMinimum ? value <= minimum : value < minimum;
            if (low || value > maximum)
            {
                var range = double.IsPositiveInfinity(maximum)
                    ? (exclusiveMinimum ? $"must be greater than {minimum.ToString(CultureInfo.InvariantCulture)}" : $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)}")
                    : $"must be in [{minimum.ToString(CultureInfo.InvariantCulture)}, {maximum.ToString(CultureInfo.InvariantCulture)}]";
                r.AddError($"{name}: {range} (got {token})");
                return null;
            }

            return value;
        },
    };

    /// <summary>A list given as "a,b,c", as repeated options, or as several values after one option.</summary>
    public static Option<string[]> List(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r => r.Tokens
            .SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray(),
    };

    /// <summary>Days as yyyyMMdd, comma-separated or repeated.</summary>
    public static Option<int[]?> Days(string name, string description, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = "yyyyMMdd[,...]",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        CustomParser = r =>
        {
            var days = new List<int>();
            foreach (var text in r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (text.Length != 8 || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var day)
                    || !DateTime.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    r.AddError($"{name}: '{text}' is not a day of the form yyyyMMdd");
                    return null;
                }

                days.Add(day);
            }

            return days.ToArray();
        },
    };

    public static Option<ComputeDevice?> Device(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "cpu|cuda|auto",
        CustomParser = r =>
        {
            if (Single(r) is not { } token)
            {
                return null;
            }

            switch (token.ToUpperInvariant())
            {
                case "CPU":
                    return ComputeDevice.Cpu;
                case "CUDA":
                case "GPU":
                    return ComputeDevice.Cuda;
                case "AUTO":
                    return ComputeDevice.Auto;
                default:
                    r.AddError($"{name}: '{token}' is not one of cpu, cuda, auto");
                    return null;
            }
        },
    };

    private static int? ParseInt(ArgumentResult r, string name, int minimum)
    {
        if (Single(r) is not { } token)
        {
            return null;
        }

        if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            r.AddError($"{name}: '{token}' is not an integer");
            return null;
        }

        if (value < minimum)
        {
            r.AddError($"{name}: must be at least {minimum} (got {value})");
            return null;
        }

        return value;
    }

    // Null when the option was not given: parsers may also run for an absent option's default.
    private static string? Single(ArgumentResult r) => r.Tokens.Count == 0 ? null : r.Tokens[^1].Value;
}

/// <summary>Reads options that were actually given.</summary>
internal static class ParseResultExtensions
{
    /// <summary>
    /// The option's value when it was on the command line, else <see langword="null"/>: absent
    /// collection options otherwise read as empty arrays, which would override a setting with nothing.
    /// </summary>
    public static T? Given<T>(this ParseResult parse, Option<T> option) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : default;
}
