using ScottPlot.TickGenerators;

namespace STEM.Recommenders.Scaling;

// ScottPlot 5 has no logarithmic axis: the plots draw log10 of the values and this builds ticks
// labelled with the original values. Over a decade or more the majors sit on powers of ten (and
// 2 and 5 times them when there are few decades) with minors at 2..9 times; over less than a
// decade, where a loss axis usually is, "nice" linear values are placed at their logarithms so
// that the axis still has several labelled ticks.
internal static class LogTicks
{
    public static NumericManual Build(double minLog, double maxLog)
    {
        var ticks = new NumericManual();
        var span = maxLog - minLog;
        if (span >= 1)
        {
            double[] mantissas = span < 2.5 ? [1, 2, 5] : [1];
            for (var decade = (int)Math.Floor(minLog); decade <= (int)Math.Ceiling(maxLog); decade++)
            {
                for (var k = 1; k <= 9; k++)
                {
                    var position = decade + Math.Log10(k);
                    if (position < minLog || position > maxLog)
                    {
                        continue;
                    }
                    if (mantissas.Contains(k))
                    {
                        ticks.AddMajor(position, ScalingFormat.Scientific(k * Math.Pow(10, decade)));
                    }
                    else
                    {
                        ticks.AddMinor(position);
                    }
                }
            }
            return ticks;
        }

        var low = Math.Pow(10, minLog);
        var high = Math.Pow(10, maxLog);
        var step = NiceStep((high - low) / 5);
        for (var v = Math.Ceiling(low / step) * step; v <= high; v += step)
        {
            ticks.AddMajor(Math.Log10(v), ScalingFormat.Scientific(Math.Round(v / step) * step));
            var half = v + step / 2;
            if (half <= high)
            {
                ticks.AddMinor(Math.Log10(half));
            }
        }
        return ticks;
    }

    private static double NiceStep(double raw)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        return (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * magnitude;
    }
}
