using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using System.Globalization;

namespace STEM.Recommenders.Benchmarks;

/// <summary>A minimal "--name value" reader: options in any order, every option takes one value unless it is a flag.</summary>
internal sealed class CommandLine
{
    private readonly string[] _args;
    private int _index = -1;

    public CommandLine(string[] args) => _args = args;

    public string? Current => _index >= 0 && _index < _args.Length ? _args[_index] : null;

    public bool MoveNext() => ++_index < _args.Length;

    public string Value()
    {
        var name = Current;
        if (_index + 1 >= _args.Length)
        {
            throw new ArgumentException($"{name} needs a value.");
        }

        return _args[++_index];
    }

    /// <summary>The value of <c>--precision</c>: float32, bf16, or auto (a calibration chooses).</summary>
    public Precision Precision() => Value().ToUpperInvariant() switch
    {
        "FLOAT32" or "FP32" or "F32" => STEM.Recommenders.Modules.Precision.Float32,
        "BF16" or "BFLOAT16" => STEM.Recommenders.Modules.Precision.BFloat16,
        "AUTO" => STEM.Recommenders.Modules.Precision.Auto,
        var other => throw new ArgumentException($"--precision takes float32, bf16 or auto, not '{other.ToLowerInvariant()}'."),
    };

    /// <summary>The value of <c>--models</c>: comma-separated catalog names, resolved.</summary>
    public IReadOnlyList<string> Models()
    {
        var names = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => !ModelCatalog.Names.Contains(n, StringComparer.OrdinalIgnoreCase)).ToArray();
        return unknown.Length == 0
            ? names.Select(ModelCatalog.Resolve).ToArray()
            : throw new ArgumentException($"Unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", ModelCatalog.Names)}.");
    }

    public int PositiveInt()
    {
        var name = Current;
        var text = Value();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : throw new ArgumentException($"{name} needs a positive integer, not '{text}'.");
    }

    public int NonNegativeInt()
    {
        var name = Current;
        var text = Value();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"{name} needs a non-negative integer, not '{text}'.");
    }

    public ArgumentException Unknown() => new($"Unknown option '{Current}'.");
}
