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

            // A typed date (a Parquet integer column) is taken as the number it is, under the rules its text meets.
            var valid = code >= 0 && dates.Store.HoldsNumbers
                ? TryDay(dates.Store.NumberAt(code), out day[r])
                : dates[r] is { } raw && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out day[r]) && day[r] != int.MaxValue;
            if (!valid)
            {
                throw new DataFormatException(dates.LocationOf(r), $"'{dates[r]}' is not a date of the form yyyyMMdd");
            }

            if (parsed is not null)
            {
                parsed[code] = day[r] + 1;
            }
        }

        return SplitByDay(log, day, trainDays, validationDays, testDays);
    }

    /// <summary>A typed number as a day, accepting what the text rule (digits only, below int.MaxValue) accepts.</summary>
    private static bool TryDay(double number, out int day)
    {
        var valid = number is >= 0 and < int.MaxValue && !double.IsNegative(number) && Math.Floor(number) == number;
        day = valid ? (int)number : 0;
        return valid;
    }

    private static (DataTable Train, DataTable Validation, DataTable Test) SplitByDay(
        DataTable log, int[] day, IReadOnlyCollection<int>? trainDays, IReadOnlyCollection<int> validationDays, IReadOnlyCollection<int> testDays)
    {
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
