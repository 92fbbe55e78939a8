using System.Buffers;
using System.Globalization;

namespace STEM.Recommenders.Data;

/// <summary>
/// An RFC 4180 record parser fed in chunks, so that a file is parsed while it is being read
/// (asynchronously) and never held whole in memory as text. It tracks physical lines and
/// character positions so every error names the line and column where the problem is.
/// </summary>
/// <remarks>
/// Hand-written rather than taken from a CSV library because the contract here is the error:
/// unterminated quotes, stray quotes, NUL characters, invalid UTF-8 and ragged rows must name file,
/// line and column exactly. Runs of ordinary characters are found with vectorized searches
/// (<see cref="SearchValues{T}"/>) and copied in bulk; fields reach the caller as spans of one
/// reused <see cref="CsvRecord"/>, so columns the caller does not keep cost no allocation.
/// </remarks>
internal sealed class CsvRecordParser
{
    /// <summary>
    /// What the decoder puts in place of bytes that are not UTF-8: a noncharacter, which text never
    /// contains, so a field holding one was not valid UTF-8 in the file.
    /// </summary>
    public const char InvalidUtf8 = '\uFDD0';

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
    private readonly Action<CsvRecord, long> _onRecord;
    private readonly SearchValues<char> _unquotedStops;
    private readonly SearchValues<char> _quotedStops;
    private readonly SearchValues<char> _lineStops;
    private readonly SearchValues<char> _fieldStops;
    private readonly CsvRecord _record = new();
    private State _state = State.FieldStart;
    private bool _pendingCarriageReturn;
    private bool _fieldWasQuoted;
    private long _line = 1;
    private long _column;
    private long _recordLine = 1;
    private long _quoteLine;
    private long _quoteColumn;
    private bool _lineHasContent;

    public CsvRecordParser(string path, CsvReadOptions options, Action<CsvRecord, long> onRecord)
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

        var stops = new List<char> { _delimiter, '\n', '\r', '\0', InvalidUtf8 };
        if (_quote >= 0)
        {
            stops.Add((char)_quote);
        }

        _unquotedStops = SearchValues.Create(stops.ToArray());
        _lineStops = SearchValues.Create(['\n', '\r', '\0', InvalidUtf8]);
        _fieldStops = SearchValues.Create(_quote >= 0 ? [_delimiter, (char)_quote] : [_delimiter]);
        _quotedStops = SearchValues.Create(_quote >= 0 ? ['\n', '\r', '\0', InvalidUtf8, (char)_quote] : ['\n', '\r', '\0', InvalidUtf8]);
    }

    public void Feed(ReadOnlySpan<char> chunk)
    {
        var i = 0;
        while (i < chunk.Length)
        {
            if (_state == State.FieldStart && !_lineHasContent && _record.Count == 0 && !_pendingCarriageReturn
                && SimpleLine(chunk[i..]) is var consumed and > 0)
            {
                i += consumed;
                continue;
            }

            var c = chunk[i];
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (c == '\n')
                {
                    i++;
                    continue;
                }
            }

            switch (_state)
            {
                case State.FieldStart:
                    i++;
                    _column++;
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
                        CheckText(c);
                        _lineHasContent = true;
                        _state = State.Unquoted;
                        _record.Append(c);
                    }

                    break;

                case State.Unquoted:
                {
                    // Copy the run of ordinary characters up to the next delimiter, quote or line break.
                    if (!CopyRun(chunk, ref i, _unquotedStops))
                    {
                        break;
                    }

                    c = chunk[i++];
                    _column++;
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
                        throw new DataFormatException(Here(), "a quote inside an unquoted field; quote the whole field and double the quote (RFC 4180)");
                    }
                    else
                    {
                        CheckText(c);
                    }

                    break;
                }

                case State.Quoted:
                {
                    if (!CopyRun(chunk, ref i, _quotedStops))
                    {
                        break;
                    }

                    c = chunk[i++];
                    _column++;
                    if (c == _quote)
                    {
                        _state = State.QuoteInQuoted;
                    }
                    else if (c is '\n' or '\r')
                    {
                        // A line break inside quotes belongs to the value; lines still count.
                        _pendingCarriageReturn = c == '\r';
                        _line++;
                        _column = 0;
                        _record.Append('\n');
                    }
                    else
                    {
                        CheckText(c);
                    }

                    break;
                }

                case State.QuoteInQuoted:
                    i++;
                    _column++;
                    if (c == _quote)
                    {
                        _record.Append(c);
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
                        CheckText(c);
                        throw new DataFormatException(Here(), $"unexpected character '{c}' after a closing quote; a field must end at its closing quote");
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// The fast path: a whole line within the chunk with no NUL, undecodable byte or lone CR whose
    /// quoted fields (if any) hold no doubled quote and no line break — nearly every line of a log
    /// or a side table — is split at its delimiters directly. Returns the characters consumed, or 0
    /// to leave the line to the state machine, which also finds and names every error.
    /// </summary>
    private int SimpleLine(ReadOnlySpan<char> rest)
    {
        var end = rest.IndexOfAny(_lineStops);
        if (end < 0)
        {
            return 0;
        }

        int consumed;
        if (rest[end] == '\n')
        {
            consumed = end + 1;
        }
        else if (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n')
        {
            consumed = end + 2;
        }
        else
        {
            return 0;
        }

        var line = rest[..end];
        if (line.Length > 0)
        {
            if (!SplitLine(line))
            {
                _record.Clear();
                return 0;
            }

            _onRecord(_record, _recordLine);
            _record.Clear();
        }

        _line++;
        _column = 0;
        _recordLine = _line;
        return consumed;
    }

    /// <summary>
    /// Splits one line into the record; false (with the record half-filled) when a field needs the
    /// state machine: a quote inside an unquoted field, a doubled quote, text after a closing quote,
    /// or a quote that does not close on this line.
    /// </summary>
    private bool SplitLine(ReadOnlySpan<char> line)
    {
        var trim = _trim;
        while (true)
        {
            if (line.Length > 0 && line[0] == _quote)
            {
                var close = line[1..].IndexOf((char)_quote);
                if (close < 0)
                {
                    return false;
                }

                // The closing quote is at close + 1; what follows must end the field.
                var next = close + 2;
                if (next < line.Length && line[next] != _delimiter)
                {
                    return false;
                }

                _record.Append(line.Slice(1, close));
                _record.EndField(trim: false);
                if (next >= line.Length)
                {
                    return true;
                }

                line = line[(next + 1)..];
                continue;
            }

            var k = line.IndexOfAny(_fieldStops);
            if (k < 0)
            {
                _record.Append(line);
                _record.EndField(trim);
                return true;
            }

            if (line[k] != _delimiter)
            {
                return false;
            }

            _record.Append(line[..k]);
            _record.EndField(trim);
            line = line[(k + 1)..];
        }
    }

    public void Complete()
    {
        if (_state == State.Quoted)
        {
            throw new DataFormatException(
                new SourceLocation(_path, _quoteLine, _quoteColumn.ToString(CultureInfo.InvariantCulture)),
                "unterminated quoted field: the quote opened here is never closed");
        }

        if (_lineHasContent || _record.Count > 0)
        {
            EndField();
            _onRecord(_record, _recordLine);
            _record.Clear();
        }
    }

    /// <summary>Appends the characters from <paramref name="i"/> up to the next stop; false when the chunk ends first.</summary>
    private bool CopyRun(ReadOnlySpan<char> chunk, ref int i, SearchValues<char> stops)
    {
        var run = chunk[i..].IndexOfAny(stops);
        if (run < 0)
        {
            run = chunk.Length - i;
        }

        _record.Append(chunk.Slice(i, run));
        _column += run;
        i += run;
        return i < chunk.Length;
    }

    private SourceLocation Here() => new(_path, _line, _column.ToString(CultureInfo.InvariantCulture));

    /// <summary>NUL and undecodable bytes are never data: they mean a binary or mis-encoded file.</summary>
    private void CheckText(char c)
    {
        if (c == '\0')
        {
            throw new DataFormatException(Here(), "a NUL character (byte 0) in a field; the file is binary or not UTF-8 text");
        }

        if (c == InvalidUtf8)
        {
            throw new DataFormatException(Here(), "bytes that are not valid UTF-8; save the file as UTF-8");
        }
    }

    private void EndField()
    {
        _record.EndField(_trim && !_fieldWasQuoted);
        _fieldWasQuoted = false;
        _state = State.FieldStart;
    }

    private void EndRecord(char terminator)
    {
        if (terminator == '\r')
        {
            _pendingCarriageReturn = true;
        }

        if (_lineHasContent || _record.Count > 0)
        {
            EndField();
            _onRecord(_record, _recordLine);
            _record.Clear();
        }

        _state = State.FieldStart;
        _line++;
        _column = 0;
        _recordLine = _line;
        _lineHasContent = false;
    }
}
