using STEM.Recommenders.Data;

namespace STEM.Recommenders.Features;

/// <summary>
/// The number derived from each code of a column's store (parsed and transformed), so that a
/// numeric feature of a dictionary-encoded column parses each distinct value once. NaN marks a code
/// not derived yet: a derived number is always finite.
/// </summary>
/// <remarks>
/// Shared encoders (a <c>Serving.Predictor</c> scoring on many threads) may race on a memo: an
/// aligned double is written whole, and a lost entry is derived again to the same number, so a race
/// costs time, never correctness (as in <see cref="CodeMemo"/>).
/// </remarks>
internal sealed class NumberMemo() : CodeSlots<double>(1, double.NaN);
