namespace STEM.Recommenders.Reporting;

/// <summary>How a <see cref="ReportChart"/> is drawn.</summary>
public enum ChartKind
{
    /// <summary>Lines through points (x, y), one per series: curves by epoch.</summary>
    Lines,

    /// <summary>Grouped bars: one group per category (x = category index), one bar per series, with ± error bars where given.</summary>
    Bars,

    /// <summary>A grid of cells coloured by value (<see cref="ReportChart.Heatmap"/>), each labelled with its value.</summary>
    Heatmap,

    /// <summary>A reliability diagram: mean predicted probability (x) against observed positive rate (y) per bin, with the diagonal.</summary>
    Reliability,
}
