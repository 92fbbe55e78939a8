using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Turns a row's token-field values into token ordinals (indices into <see cref="Texts"/>, in
/// first-seen order) in fixed slots. Values are interned per field so that the
/// <c>name=value</c> string is built once per distinct value, not once per event.
/// </summary>
internal sealed class EventTokenizer
{
    private readonly TokenField[] _fields;
    private readonly DataColumn[] _columns;
    private readonly Dictionary<string, int>[] _ordinals;
    private readonly HashSet<string>[] _positive;
    private readonly int[] _labelOrdinal;

    public EventTokenizer(DataTable table, IReadOnlyList<TokenField> fields)
    {
        _fields = fields.ToArray();
        _columns = _fields.Select(f => table.Column(f.SourceColumn)).ToArray();
        _ordinals = _fields.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        _positive = _fields.Select(f => new HashSet<string>(f.PositiveValues, StringComparer.Ordinal)).ToArray();
        _labelOrdinal = new int[_fields.Length];
        Array.Fill(_labelOrdinal, -1);
    }

    /// <summary>The text of each token ordinal.</summary>
    public List<string> Texts { get; } = new();

    /// <summary>Fills <paramref name="slots"/> (-1 where absent); false when the row has no token at all.</summary>
    public bool Tokenize(int row, Span<int> slots)
    {
        slots.Fill(-1);
        var any = false;
        var offset = 0;
        for (var f = 0; f < _fields.Length; f++)
        {
            var field = _fields[f];
            var value = _columns[f][row];
            if (!string.IsNullOrEmpty(value))
            {
                switch (field.Kind)
                {
                    case TokenFieldKind.Categorical:
                        slots[offset] = Intern(f, value);
                        any = true;
                        break;
                    case TokenFieldKind.MultiValue:
                        var used = 0;
                        foreach (var range in value.AsSpan().Split(field.Separator))
                        {
                            var part = value.AsSpan()[range].Trim();
                            if (part.IsEmpty)
                            {
                                continue;
                            }

                            slots[offset + used] = Intern(f, part.ToString());
                            any = true;
                            if (++used == field.MaxValues)
                            {
                                break;
                            }
                        }

                        break;
                    case TokenFieldKind.Label:
                        if (_positive[f].Contains(value))
                        {
                            if (_labelOrdinal[f] < 0)
                            {
                                _labelOrdinal[f] = Texts.Count;
                                Texts.Add(field.Name + "=1");
                            }

                            slots[offset] = _labelOrdinal[f];
                            any = true;
                        }

                        break;
                }
            }

            offset += field.Slots;
        }

        return any;
    }

    private int Intern(int field, string value)
    {
        if (!_ordinals[field].TryGetValue(value, out var ordinal))
        {
            ordinal = Texts.Count;
            Texts.Add(_fields[field].Name + "=" + value);
            _ordinals[field].Add(value, ordinal);
        }

        return ordinal;
    }
}
