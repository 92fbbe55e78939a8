namespace STEM.Recommenders.Data;

/// <summary>
/// An RFC 4180 record parser fed in chunks, so that a file is parsed while it is being read
/// (asynchronously) and never held whole in memory as text. It tracks physical lines and
/// character positions so every error names the line and column where the problem is.
/// </summary>
/// <remarks>
/// Hand-written rather than taken from a CSV library because the contract here is the error:
/// unterminated quotes, stray quotes and ragged rows must name file, line and column exactly,
/// and fields go straight into column storage with only the wanted columns kept.
/// </remarks>
internal sealed class CsvRecordParser
{
    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    private readonly string _path;
    private readonly char _delimiter;
    private readonly int _quote;
    private readonly bool _trim;
    private readonly Action<List<string?>, long> _onRecord;
    private readonly List<string?> _fields = new();
    private char[] _field = new char[256];
    private int _fieldLength;
    private State _state = State.FieldStart;
    private bool _pendingCarriageReturn;
    private bool _fieldWasQuoted;
    private long _line = 1;
    private long _column;
    private long _recordLine = 1;
    private long _quoteLine;
    private long _quoteColumn;
    private bool _lineHasContent;

    public CsvRecordParser(string path, CsvReadOptions options, Action<List<string?>, long> onRecord)
    {
        _path = path;
        _delimiter = options.Delimiter;
        _quote = options.Quote is { } q ? q : -1;
        _trim = options.TrimWhitespace;
        _onRecord = onRecord;
        if (_quote == _delimiter)
        {
            throw new ArgumentException("The quote character cannot be the delimiter.", nameof(options));
        }
    }

    public void Feed(ReadOnlySpan<char> chunk)
    {
        foreach (var c in chunk)
        {
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (c == '\n')
                {
                    continue;
                }
            }

            _column++;
            switch (_state)
            {
                case State.FieldStart:
                    if (c == _quote)
                    {
                        _state = State.Quoted;
                        _fieldWasQuoted = true;
                        _quoteLine = _line;
                        _quoteColumn = _column;
                        _lineHasContent = true;
                    }
                    else if (c == _delimiter)
                    {
                        _lineHasContent = true;
                        EndField();
                    }
                    else if (c is '\n' or '\r')
                    {
                        EndRecord(c);
                    }
                    else
                    {
                        _lineHasContent = true;
                        _state = State.Unquoted;
                        Append(c);
                    }

                    break;

                case State.Unquoted:
                    if (c == _delimiter)
                    {
                        EndField();
                    }
                    else if (c is '\n' or '\r')
                    {
                        EndRecord(c);
                    }
                    else if (c == _quote)
                    {
                        throw new DataFormatException(
                            new SourceLocation(_path, _line, _column.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                            "a quote inside an unquoted field; quote the whole field and double the quote (RFC 4180)");
                    }
                    else
                    {
                        Append(c);
                    }

                    break;

                case State.Quoted:
                    if (c == _quote)
                    {
                        _state = State.QuoteInQuoted;
                    }
                    else
                    {
                        if (c == '\n' || c == '\r')
                        {
                            // A line break inside quotes belongs to the value; lines still count.
                            if (c == '\r')
                            {
                                _pendingCarriageReturn = true;
                            }

                            _line++;
                            _column = 0;
                            Append('\n');
                            break;
                        }

                        Append(c);
                    }

                    break;

                case State.QuoteInQuoted:
                    if (c == _quote)
                    {
                        Append(c);
                        _state = State.Quoted;
                    }
                    else if (c == _delimiter)
                    {
                        EndField();
                    }
                    else if (c is '\n' or '\r')
                    {
                        EndRecord(c);
                    }
                    else if (_trim && c == ' ')
                    {
                        // Spaces after a closing quote are tolerated when trimming.
                    }
                    else
                    {
                        throw new DataFormatException(
                            new SourceLocation(_path, _line, _column.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                            $"unexpected character '{c}' after a closing quote; a field must end at its closing quote");
                    }

                    break;
            }
        }
    }

    public void Complete()
    {
        if (_state == State.Quoted)
        {
            throw new DataFormatException(
                new SourceLocation(_path, _quoteLine, _quoteColumn.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                "unterminated quoted field: the quote opened here is never closed");
        }

        if (_lineHasContent || _fields.Count > 0)
        {
            EndField();
            _onRecord(_fields, _recordLine);
            _fields.Clear();
        }
    }

    private void Append(char c)
    {
        if (_fieldLength == _field.Length)
        {
            Array.Resize(ref _field, _field.Length * 2);
        }

        _field[_fieldLength++] = c;
    }

    private void EndField()
    {
        var span = new ReadOnlySpan<char>(_field, 0, _fieldLength);
        if (_trim && !_fieldWasQuoted)
        {
            span = span.Trim(' ');
        }

        _fields.Add(span.Length == 0 ? null : FieldStrings.Create(span));
        _fieldLength = 0;
        _fieldWasQuoted = false;
        _state = State.FieldStart;
    }

    private void EndRecord(char terminator)
    {
        if (terminator == '\r')
        {
            _pendingCarriageReturn = true;
        }

        if (_lineHasContent || _fields.Count > 0)
        {
            EndField();
            _onRecord(_fields, _recordLine);
            _fields.Clear();
        }

        _state = State.FieldStart;
        _line++;
        _column = 0;
        _recordLine = _line;
        _lineHasContent = false;
    }
}
