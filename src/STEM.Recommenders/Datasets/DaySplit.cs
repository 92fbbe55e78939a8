using System.Globalization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>Splits a log by its date column: the way the STEM paper's datasets and production systems are evaluated.</summary>
internal static class DaySplit
{
    public static (DataTable Train, DataTable Validation, DataTable Test) Split(
        DataTable log, string dateColumn, IReadOnlyCollection<int>? trainDays, IReadOnlyCollection<int> validationDays, IReadOnlyCollection<int> testDays)
    {
        var dates = log.Column(dateColumn);
        var day = new int[log.RowCount];

        // A log holds a few distinct dates: parse each code once (stored as day + 1).
        var parsed = dates.Store.IsShared ? new int[dates.Store.Count] : null;
        for (var r = 0; r < log.RowCount; r++)
        {
            var code = dates.CodeOf(r);
            if (parsed is not null && code >= 0 && parsed[code] > 0)
            {
                day[r] = parsed[code] - 1;
                continue;
            }

            var raw = dates[r];
            if (raw is null || !int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out day[r]) || day[r] == int.MaxValue)
            {
                throw new DataFormatException(dates.LocationOf(r), $"'{raw}' is not a date of the form yyyyMMdd");
            }

            if (parsed is not null)
            {
                parsed[code] = day[r] + 1;
            }
        }

        var overlap = validationDays.Intersect(testDays).ToArray();
        if (overlap.Length > 0)
        {
            throw new ArgumentException($"Day {overlap[0]} is both a validation and a test day.");
        }

        var validation = new HashSet<int>(validationDays);
        var test = new HashSet<int>(testDays);
        var train = trainDays is null ? null : new HashSet<int>(trainDays);
        if (train is not null && (train.Overlaps(validation) || train.Overlaps(test)))
        {
            throw new ArgumentException("A training day is also a validation or test day.");
        }

        // Without explicit training days, train on the days before the first evaluation day:
        // never on days after it, which would leak the future into the past.
        var firstHeldOut = validation.Concat(test).DefaultIfEmpty(int.MaxValue).Min();
        return (
            log.Where(r => train?.Contains(day[r]) ?? day[r] < firstHeldOut),
            log.Where(r => validation.Contains(day[r])),
            log.Where(r => test.Contains(day[r])));
    }
}
