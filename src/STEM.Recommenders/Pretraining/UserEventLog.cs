using System.Globalization;
using STEM.Recommenders.Data;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// An event log grouped by user: every user's events in time order, each tokenised into fixed
/// token slots (<see cref="SequenceOptions.MaxTokensPerItem"/>) and assigned to view A or B. It
/// holds token strings, not ids, so one log serves any vocabulary: fit a
/// <see cref="TokenVocabulary"/> on the training users, then encode pairs (pretraining) or
/// whole sequences (embeddings). Events without any token are dropped (they would be items made
/// only of padding).
/// </summary>
public sealed class UserEventLog
{
    private readonly string[] _users;
    private readonly Dictionary<string, int> _userIndex;
    private readonly int[] _userStart;
    private readonly int[] _eventTokens;
    private readonly bool[] _firstView;
    private readonly double[] _times;
    private readonly string[] _tokenTexts;

    private UserEventLog(string source, SequenceOptions options, string[] users, int[] userStart, int[] eventTokens, bool[] firstView, double[] times, string[] tokenTexts)
    {
        Source = source;
        Options = options;
        _users = users;
        _userStart = userStart;
        _eventTokens = eventTokens;
        _firstView = firstView;
        _times = times;
        _tokenTexts = tokenTexts;
        _userIndex = new Dictionary<string, int>(users.Length, StringComparer.Ordinal);
        for (var u = 0; u < users.Length; u++)
        {
            _userIndex.Add(users[u], u);
        }
    }

    /// <summary>The table's source (file), used in error messages.</summary>
    public string Source { get; }

    /// <summary>The options the log was built with.</summary>
    public SequenceOptions Options { get; }

    /// <summary>The users, in order of their first row in the table.</summary>
    public IReadOnlyList<string> Users => _users;

    /// <summary>Number of events kept (all rows but those without any token).</summary>
    public int EventCount => _firstView.Length;

    /// <summary>A user's events, oldest first.</summary>
    /// <exception cref="ArgumentException">The user is not in the log.</exception>
    public IReadOnlyList<UserEvent> EventsOf(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!_userIndex.TryGetValue(user, out var u))
        {
            throw new ArgumentException($"User '{user}' is not in {Source}.", nameof(user));
        }

        var k = Options.MaxTokensPerItem;
        var events = new List<UserEvent>();
        for (var e = _userStart[u]; e < _userStart[u + 1]; e++)
        {
            var tokens = new List<string>();
            for (var s = 0; s < k; s++)
            {
                var ordinal = _eventTokens[(e * k) + s];
                if (ordinal >= 0)
                {
                    tokens.Add(_tokenTexts[ordinal]);
                }
            }

            events.Add(new UserEvent(_times[e], _firstView[e], tokens));
        }

        return events;
    }

    /// <summary>Groups, orders, tokenises and assigns views to the events of <paramref name="table"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid (the message names the option).</exception>
    /// <exception cref="DataFormatException">
    /// A column the options name is missing (the message names the file, the column and the option),
    /// a user key is missing, or a time value is not a number (file, line and column).
    /// </exception>
    public static UserEventLog FromTable(DataTable table, SequenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RequireColumn(table, options.UserColumn, "SequenceOptions.UserColumn");
        RequireColumn(table, options.TimeColumn, "SequenceOptions.TimeColumn");
        foreach (var field in options.Tokens)
        {
            RequireColumn(table, field.SourceColumn, $"SequenceOptions.Tokens field '{field.Name}'");
        }

        if (options.Views.ColumnName is { } viewColumn)
        {
            RequireColumn(table, viewColumn, $"SequenceOptions.Views ({options.Views.GetType().Name}.Column)");
        }

        var n = table.RowCount;
        var userColumn = table.Column(options.UserColumn);
        var timeColumn = table.Column(options.TimeColumn);
        var userIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var users = new List<string>();
        var rowUser = new int[n];
        var rowTime = new double[n];
        for (var row = 0; row < n; row++)
        {
            var user = userColumn[row] ?? throw new DataFormatException(userColumn.LocationOf(row), "missing user key (SequenceOptions.UserColumn)");
            if (!userIndex.TryGetValue(user, out var u))
            {
                u = users.Count;
                userIndex.Add(user, u);
                users.Add(user);
            }

            rowUser[row] = u;
            var text = timeColumn[row];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out rowTime[row]) || !double.IsFinite(rowTime[row]))
            {
                throw new DataFormatException(timeColumn.LocationOf(row), text is null ? "missing time value (SequenceOptions.TimeColumn)" : $"time value '{text}' is not a number (SequenceOptions.TimeColumn)");
            }
        }

        // One sort by (user, time, row): the row tie-break keeps file order for equal times.
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) =>
        {
            var c = rowUser[x].CompareTo(rowUser[y]);
            if (c != 0)
            {
                return c;
            }

            c = rowTime[x].CompareTo(rowTime[y]);
            return c != 0 ? c : x.CompareTo(y);
        });

        var tokenizer = new EventTokenizer(table, options.Tokens);
        var assign = options.Views.Bind(table);
        var k = options.MaxTokensPerItem;
        var eventTokens = new int[n * k];
        var firstView = new bool[n];
        var times = new double[n];
        var userStart = new int[users.Count + 1];
        var kept = 0;
        foreach (var row in order)
        {
            var slots = eventTokens.AsSpan(kept * k, k);
            if (!tokenizer.Tokenize(row, slots))
            {
                continue;
            }

            var hash = StableHash.Fnv1a(0, StableHash.Fnv1a(users[rowUser[row]]));
            hash = StableHash.Fnv1a(0, StableHash.Fnv1a(timeColumn[row]!, hash));
            foreach (var ordinal in slots)
            {
                if (ordinal >= 0)
                {
                    hash = StableHash.Fnv1a(0, StableHash.Fnv1a(tokenizer.Texts[ordinal], hash));
                }
            }

            firstView[kept] = assign(row, hash);
            times[kept] = rowTime[row];
            userStart[rowUser[row] + 1]++;
            kept++;
        }

        for (var u = 0; u < users.Count; u++)
        {
            userStart[u + 1] += userStart[u];
        }

        return new UserEventLog(
            table.Source,
            options,
            users.ToArray(),
            userStart,
            eventTokens.AsSpan(0, kept * k).ToArray(),
            firstView.AsSpan(0, kept).ToArray(),
            times.AsSpan(0, kept).ToArray(),
            tokenizer.Texts.ToArray());
    }

    /// <summary>
    /// Two views per user, each the most recent <see cref="SequenceOptions.MaxLength"/> events of
    /// that view; users with fewer than <see cref="SequenceOptions.MinEventsPerView"/> events in
    /// either view are left out (see <see cref="UserPairSet.Statistics"/>).
    /// </summary>
    /// <param name="vocabulary">Maps tokens to ids (unknown tokens to OOV).</param>
    /// <param name="users">Only these users (those not in the log are ignored); <see langword="null"/> for all.</param>
    /// <exception cref="DataFormatException">
    /// Every considered event falls in one view (the message names the view column), or no user is
    /// left (the message names the option and gives the counts).
    /// </exception>
    public UserPairSet EncodePairs(TokenVocabulary vocabulary, IReadOnlySet<string>? users = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var considered = Considered(users);
        var minEvents = Options.MinEventsPerView;
        var keptUsers = new List<int>();
        long eventsA = 0, eventsB = 0;
        int excludedA = 0, excludedB = 0;
        foreach (var u in considered)
        {
            var a = 0;
            for (var e = _userStart[u]; e < _userStart[u + 1]; e++)
            {
                a += _firstView[e] ? 1 : 0;
            }

            var b = _userStart[u + 1] - _userStart[u] - a;
            eventsA += a;
            eventsB += b;
            if (a < minEvents)
            {
                excludedA++;
            }
            else if (b < minEvents)
            {
                excludedB++;
            }
            else
            {
                keptUsers.Add(u);
            }
        }

        if (considered.Count > 0 && (eventsA == 0 || eventsB == 0))
        {
            var column = Options.Views.ColumnName;
            var where = column is null ? new SourceLocation(Source, null, null) : new SourceLocation(Source, null, column);
            var what = column is null ? "the view strategy" : $"column '{column}'";
            throw new DataFormatException(where, $"all {eventsA + eventsB} events of the {considered.Count} users fall in view {(eventsA == 0 ? "B" : "A")}: {what} gives view {(eventsA == 0 ? "A" : "B")} no event under {Options.Views}; choose values that divide the events (SequenceOptions.Views)");
        }

        if (keptUsers.Count == 0)
        {
            throw new DataFormatException(Source, $"no user has at least {minEvents} events in each view (SequenceOptions.MinEventsPerView = {minEvents}, SequenceOptions.Views = {Options.Views}): {considered.Count} users considered, {excludedA} with fewer in view A, {excludedB} with fewer in view B ({eventsA} events in view A, {eventsB} in view B); lower MinEventsPerView or choose another view strategy");
        }

        var map = vocabulary.MapOrdinals(_tokenTexts);
        var keys = keptUsers.Select(u => _users[u]).ToArray();
        var (viewA, keptA, allA) = Encode(keptUsers, keys, map, e => _firstView[e]);
        var (viewB, keptB, allB) = Encode(keptUsers, keys, map, e => !_firstView[e]);
        var statistics = new ViewStatistics(considered.Count, keptUsers.Count, excludedA, excludedB, eventsA, eventsB, keptA, keptB);
        return new UserPairSet(viewA, viewB, statistics);
    }

    /// <summary>
    /// One sequence per user from all their events (the most recent
    /// <see cref="SequenceOptions.MaxLength"/>), for computing user vectors; every user with an event.
    /// </summary>
    /// <param name="vocabulary">Maps tokens to ids (unknown tokens to OOV).</param>
    /// <param name="users">Only these users (those not in the log are ignored); <see langword="null"/> for all.</param>
    public UserSequenceSet EncodeAll(TokenVocabulary vocabulary, IReadOnlySet<string>? users = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var considered = Considered(users);
        var kept = considered.Where(u => _userStart[u + 1] > _userStart[u]).ToList();
        var keys = kept.Select(u => _users[u]).ToArray();
        var (set, _, _) = Encode(kept, keys, vocabulary.MapOrdinals(_tokenTexts), _ => true, considered.Count);
        return set;
    }

    /// <summary>Counts each token over the events of the given users (for fitting a vocabulary).</summary>
    internal Dictionary<string, long> CountTokens(IReadOnlySet<string> users)
    {
        var k = Options.MaxTokensPerItem;
        var counts = new long[_tokenTexts.Length];
        foreach (var user in users)
        {
            if (!_userIndex.TryGetValue(user, out var u))
            {
                continue;
            }

            for (var i = _userStart[u] * k; i < _userStart[u + 1] * k; i++)
            {
                if (_eventTokens[i] >= 0)
                {
                    counts[_eventTokens[i]]++;
                }
            }
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var o = 0; o < counts.Length; o++)
        {
            if (counts[o] > 0)
            {
                result[_tokenTexts[o]] = counts[o];
            }
        }

        return result;
    }

    private static void RequireColumn(DataTable table, string name, string option)
    {
        if (!table.HasColumn(name))
        {
            throw new DataFormatException(new SourceLocation(table.Source, 1, name), $"column '{name}' ({option}) not found; the table has: {string.Join(", ", table.ColumnNames)}");
        }
    }

    private List<int> Considered(IReadOnlySet<string>? users)
    {
        if (users is null)
        {
            return Enumerable.Range(0, _users.Length).ToList();
        }

        // Log order, not the set's enumeration order, so that the rows are deterministic.
        return Enumerable.Range(0, _users.Length).Where(u => users.Contains(_users[u])).ToList();
    }

    private (UserSequenceSet Set, long Kept, long All) Encode(List<int> users, string[] keys, int[] map, Func<int, bool> inView, int? considered = null)
    {
        var length = Options.MaxLength;
        var k = Options.MaxTokensPerItem;
        var tokens = new long[(long)users.Count * length * k];
        var mask = new bool[(long)users.Count * length];
        long kept = 0, all = 0;
        var selected = new List<int>();
        for (var i = 0; i < users.Count; i++)
        {
            var u = users[i];
            selected.Clear();
            for (var e = _userStart[u]; e < _userStart[u + 1]; e++)
            {
                if (inView(e))
                {
                    selected.Add(e);
                }
            }

            all += selected.Count;

            // The most recent L, still oldest first and left-aligned.
            var skip = Math.Max(0, selected.Count - length);
            for (var p = 0; p < selected.Count - skip; p++)
            {
                var e = selected[skip + p];
                mask[((long)i * length) + p] = true;
                var target = (((long)i * length) + p) * k;
                for (var s = 0; s < k; s++)
                {
                    var ordinal = _eventTokens[(e * k) + s];
                    tokens[target + s] = ordinal < 0 ? TokenVocabulary.PaddingId : map[ordinal];
                }

                kept++;
            }
        }

        // Detached: the set owns its tensors even when built inside a caller's dispose scope.
        var tokenTensor = tensor(tokens, [users.Count, length, k], ScalarType.Int64).DetachFromDisposeScope();
        var maskTensor = tensor(mask, [users.Count, length], ScalarType.Bool).DetachFromDisposeScope();
        var statistics = new SequenceStatistics(considered ?? users.Count, users.Count, all, kept);
        return (new UserSequenceSet(tokenTensor, maskTensor, keys, statistics), kept, all);
    }
}
