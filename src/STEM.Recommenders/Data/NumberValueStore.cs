using System.Globalization;

namespace STEM.Recommenders.Data;

/// <summary>
/// The distinct values of a typed numeric column (integers or floating point, from Parquet or
/// Arrow): a number per code, read as it is by numeric features, and a text per code made only
/// when something asks for it (a categorical feature's vocabulary key, a label, an error message).
/// Numbers are never formatted to be parsed back.
/// </summary>
/// <remarks>
/// Texts are made lazily and cached; two threads making the same text at once both store an equal
/// string, so the race costs time, never correctness (as in <see cref="CodeMemo"/>).
/// </remarks>
internal sealed class NumberValueStore : ValueStore
{
    private readonly double[] _numbers;
    private readonly long[]? _integers;
    private readonly Func<int, string>? _text;
    private readonly string?[] _texts;

    /// <summary>Integers: the text of each is its invariant decimal form, exact at any magnitude.</summary>
    public NumberValueStore(long[] integers)
    {
        _integers = integers;
        _numbers = new double[integers.Length];
        for (var i = 0; i < integers.Length; i++)
        {
            _numbers[i] = integers[i];
        }

        _texts = new string?[integers.Length];
    }

    /// <summary>Floating-point numbers: the text of each is <paramref name="text"/>'s, or the round-trip ("R") form.</summary>
    public NumberValueStore(double[] numbers, Func<int, string>? text)
    {
        _numbers = numbers;
        _text = text;
        _texts = new string?[numbers.Length];
    }

    public override int Count => _numbers.Length;

    public override string? this[int code] => _texts[code] ??= Format(code);

    public override bool IsShared => true;

    public override bool HoldsNumbers => true;

    public override double NumberAt(int code) => _numbers[code];

    /// <summary>How many texts were made so far (what a test checks to see that numbers were read as numbers).</summary>
    internal int TextsMade => _texts.Count(t => t is not null);

    private string Format(int code) =>
        _integers is not null ? _integers[code].ToString(CultureInfo.InvariantCulture)
        : _text is not null ? _text(code)
        : _numbers[code].ToString("R", CultureInfo.InvariantCulture);
}
