using System.Globalization;
using NetServ.Evaluation.Latency;
using NetServ.Evaluation.NodeRuntime;
using ScottPlot;

namespace NetServ.Evaluation.Reporting;

/// <summary>PNG plots of the evaluation's runs (ScottPlot), mirroring the paper's Figures 12, 13 and 14.</summary>
internal static class Plots
{
    internal static readonly Color Measured = Color.FromHex("#1f77b4");
    internal static readonly Color Paper = Color.FromHex("#bbbbbb");

    /// <summary>
    /// MLFFR per configuration at one size: our median with min–max whiskers, the paper's value
    /// beside it as a labelled reference series.
    /// </summary>
    public static void Mlffr(NodeRuntimeResults results, int size, string path)
    {
        var plot = new Plot();
        var keys = results.Options.Configurations.Where(k => results.Mlffr(k, size) is not null).ToArray();
        var measured = new List<Bar>();
        var paper = new List<Bar>();
        var ticks = new List<(double Position, string Label)>();
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var m = results.Mlffr(key, size)!.Value;
            var center = i * 3.0;
            measured.Add(new Bar
            {
                Position = center - 0.45,
                Value = m.Median,
                FillColor = Measured,
                Size = 0.9,
                Label = m.Median.ToString("0", CultureInfo.InvariantCulture),
            });
            if (PaperReference.Mlffr(key, size) is { } p)
            {
                paper.Add(new Bar { Position = center + 0.45, Value = p, FillColor = Paper, Size = 0.9, Label = p.ToString("0", CultureInfo.InvariantCulture) });
            }

            ticks.Add((center, $"({key}) {Wrap(results.ConfigurationTitles.GetValueOrDefault(key, key))}"));
        }

        var ours = plot.Add.Bars(measured);
        Whiskers(plot, measured.Select(b => b.Position), keys.Select(k => results.Mlffr(k, size)!.Value).Select(m => (m.Median, m.Min, m.Max)));
        ours.LegendText = "this run: median, whiskers min–max";
        ours.ValueLabelStyle.FontSize = 11;
        if (paper.Count > 0)
        {
            var theirs = plot.Add.Bars(paper);
            theirs.LegendText = "paper, section 9 (2011 testbed)";
            theirs.ValueLabelStyle.FontSize = 11;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title($"MLFFR per router configuration, {size}-byte frames");
        plot.YLabel("MLFFR (kpps)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1100, 620);
    }

    /// <summary>
    /// Figure 13: the median one-way latency of each configuration, whiskers p10–p90, and where the
    /// paper's module bar would stand on this machine: our (2) plus the paper's 92 µs that KeepAlive
    /// adds to unprocessed packets.
    /// </summary>
    public static void Latency(LayerLatencyResults results, string path)
    {
        var plot = new Plot();
        var layers = results.Layers.Where(l => l.Statistics.Received > 0).ToArray();
        var bars = layers.Select((l, i) => new Bar
        {
            Position = i,
            Value = l.Statistics.MedianUs,
            FillColor = Measured,
            Size = 0.7,
            Label = string.Create(CultureInfo.InvariantCulture, $"{l.Statistics.MedianUs:0.0} (p99 {l.Statistics.P99Us:0})"),
        }).ToList();
        var measured = plot.Add.Bars(bars);
        measured.LegendText = "this run: median one-way latency, whiskers p10–p90 (label: median, p99)";
        measured.ValueLabelStyle.FontSize = 11;
        Whiskers(plot, bars.Select(b => b.Position), layers.Select(l => (l.Statistics.MedianUs, l.Statistics.P10Us, l.Statistics.P90Us)));
        if (PaperReference.KeepAliveExtraDelayMicroseconds is { } paper && results.Layer("2") is { Statistics.Received: > 0 } unprocessed)
        {
            var reference = plot.Add.HorizontalLine(unprocessed.Statistics.MedianUs + paper, 2, Colors.Gray, LinePattern.Dashed);
            reference.LegendText = string.Create(CultureInfo.InvariantCulture, $"paper: (6) KeepAlive = unprocessed (2) + {paper:0} µs, drawn on this run's (2)");
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            layers.Select((_, i) => (double)i).ToArray(),
            layers.Select(l => $"({l.Key}) {Wrap(l.Title)}").ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.25);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Latency per layer (Figure 13): {results.Options.WireBytes}-byte frames at {results.Options.Rate:0} packets/s"));
        plot.YLabel("one-way latency through the router (µs)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1000, 620);
    }

    /// <summary>PSS per container at each container count (baseline settings): mean, whiskers min–max, the 20 MB target as a line.</summary>
    public static void Memory(NodeRuntimeResults results, string path, double targetMb)
    {
        var plot = new Plot();
        var samples = results.Memory.Where(m => m.Variant == MemoryVariant.Baseline && m.Succeeded).GroupBy(m => m.Containers).Select(g => g.First()).OrderBy(m => m.Containers).ToArray();
        var bars = samples.Select((s, i) => new Bar
        {
            Position = i,
            Value = s.MeanMb,
            FillColor = Measured,
            Label = s.MeanMb.ToString("0.0", CultureInfo.InvariantCulture),
        }).ToList();
        var plotted = plot.Add.Bars(bars);
        Whiskers(plot, bars.Select(b => b.Position), samples.Select(s => (s.MeanMb, s.MinMb, s.MaxMb)));
        plotted.LegendText = "mean PSS per container, whiskers min–max";
        var target = plot.Add.HorizontalLine(targetMb, 2, Colors.Red, LinePattern.Dashed);
        target.LegendText = $"target {targetMb:0} MB";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            samples.Select((_, i) => (double)i).ToArray(),
            samples.Select(s => $"{s.Containers} container{(s.Containers == 1 ? string.Empty : "s")}").ToArray());
        plot.Axes.Margins(bottom: 0, top: 0.2);
        plot.Title("Memory per idle container (PSS), default settings");
        plot.YLabel("PSS per container (MB)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 800, 520);
    }

    /// <summary>Mean PSS per container under each runtime setting.</summary>
    public static void MemoryVariants(NodeRuntimeResults results, string path, double targetMb)
    {
        var count = results.Options.VariantContainers;
        var samples = results.Memory.Where(m => m.Containers == count && m.Succeeded).GroupBy(m => m.Variant.Name).Select(g => g.First()).ToArray();
        if (samples.Length < 2)
        {
            return;
        }

        var plot = new Plot();
        var bars = samples.Select((s, i) => new Bar { Position = i, Value = s.MeanMb, FillColor = s.Variant == MemoryVariant.Baseline ? Paper : Measured, Label = s.MeanMb.ToString("0.0", CultureInfo.InvariantCulture) }).ToList();
        plot.Add.Bars(bars).Horizontal = true;
        var target = plot.Add.VerticalLine(targetMb, 2, Colors.Red, LinePattern.Dashed);
        target.LegendText = $"target {targetMb:0} MB";
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(samples.Select((_, i) => (double)i).ToArray(), samples.Select(s => s.Variant.Name).ToArray());
        plot.Axes.Margins(left: 0, right: 0.15);
        plot.Title($"Mean PSS per container, {count} containers, by runtime setting");
        plot.XLabel("PSS per container (MB)");
        plot.SavePng(path, 900, 120 + (45 * samples.Length));
    }

    /// <summary>
    /// Each target ratio (mean of its paired ratios) at each size, error bars its 95 % confidence
    /// interval, and the target as a red dashed mark over the bar.
    /// </summary>
    public static void Ratios(IReadOnlyList<PairedRatio> ratios, string path)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        var shown = ratios.Where(r => r.Pairs.Count > 0).ToArray();
        if (shown.Length == 0)
        {
            return;
        }

        var plot = new Plot();
        RatioBars(plot, shown.Select(r => r.Mean), Measured, "mean of the paired ratios, error bars 95 % CI (t)");
        var withInterval = shown.Select((r, i) => (r, i)).Where(x => x.r.Interval is not null).ToArray();
        Whiskers(plot, withInterval.Select(x => (double)x.i), withInterval.Select(x => (x.r.Mean, x.r.Interval!.Value.Low, x.r.Interval!.Value.High)));

        for (var i = 0; i < shown.Length; i++)
        {
            TargetMark(plot, i, shown[i].Target.Target, legend: i == 0);
        }

        SaveRatioPlot(plot, shown.Select(r => $"({r.Target.Numerator})/({r.Target.Denominator})\n{r.Size} B"), "Target ratios from paired searches, 95 % confidence intervals", path);
    }

    /// <summary>
    /// The repeated runs' comparison (comparison.json's <c>ratios</c>): per target ratio and size the
    /// median across runs as a bar, each run's figure as a point, and the target as a red dashed mark.
    /// </summary>
    public static void RunComparison(System.Text.Json.Nodes.JsonObject ratios, string path)
    {
        ArgumentNullException.ThrowIfNull(ratios);
        var rows = ratios
            .Where(p => p.Value is System.Text.Json.Nodes.JsonObject)
            .SelectMany(p => p.Value!.AsObject().Where(s => s.Value is not null).Select(s => (Name: p.Key, Size: s.Key, Row: s.Value!)))
            .ToArray();
        if (rows.Length == 0)
        {
            return;
        }

        var plot = new Plot();
        RatioBars(plot, rows.Select(r => (double)r.Row["medianAcrossRuns"]!), Measured.WithAlpha(0.5), "median across runs");
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < rows.Length; i++)
        {
            foreach (var run in rows[i].Row["runs"]!.AsArray())
            {
                if (run?["ratio"] is { } v)
                {
                    xs.Add(i);
                    ys.Add((double)v);
                }
            }

            TargetMark(plot, i, (double)rows[i].Row["target"]!, legend: i == 0);
        }

        var points = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
        points.Color = Colors.Black;
        points.MarkerSize = 7;
        points.LegendText = "each run (mean of its paired ratios)";
        SaveRatioPlot(
            plot,
            rows.Select(r => $"{r.Name.Replace("_over_", "/", StringComparison.Ordinal)}\n{r.Size} B\n{((bool)r.Row["withinTenPercent"]! ? "within ±10 %" : "spread > 10 %")}"),
            "Target ratios across repeated runs",
            path);
    }

    /// <summary>The ratio plots' bars: at 0, 1, …, each labelled with its value.</summary>
    private static void RatioBars(Plot plot, IEnumerable<double> values, Color fill, string legend)
    {
        var bars = values.Select((value, i) => new Bar
        {
            Position = i,
            Value = value,
            FillColor = fill,
            Size = 0.6,
            Label = value.ToString("0.00", CultureInfo.InvariantCulture),
        }).ToList();
        plot.Add.Bars(bars).LegendText = legend;
    }

    /// <summary>The ratio plots' frame: a tick under each bar, room above for labels and target marks, the legend; then the file.</summary>
    private static void SaveRatioPlot(Plot plot, IEnumerable<string> ticks, string title, string path)
    {
        var labels = ticks.ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray(),
            labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(title);
        plot.YLabel("ratio of MLFFRs");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>Asymmetric whiskers from min to max over bars (a Bar's own error is symmetric).</summary>
    /// <summary>A target as a red dashed mark across the bar at <paramref name="position"/>.</summary>
    private static void TargetMark(Plot plot, double position, double target, bool legend)
    {
        var mark = plot.Add.Scatter(new[] { position - 0.4, position + 0.4 }, new[] { target, target });
        mark.Color = Colors.Red;
        mark.LineWidth = 2;
        mark.MarkerSize = 0;
        mark.LinePattern = LinePattern.Dashed;
        if (legend)
        {
            mark.LegendText = "target";
        }
    }

    internal static void Whiskers(Plot plot, IEnumerable<double> positions, IEnumerable<(double Value, double Min, double Max)> ranges)
    {
        var xs = positions.ToArray();
        var r = ranges.ToArray();
        if (xs.Length == 0 || r.All(x => x.Max - x.Min <= 0))
        {
            return;
        }

        var whiskers = plot.Add.ErrorBar(xs, r.Select(x => x.Value).ToArray(), r.Select(x => x.Max - x.Value).ToArray());
        whiskers.YErrorPositive = r.Select(x => x.Max - x.Value).ToArray();
        whiskers.YErrorNegative = r.Select(x => x.Value - x.Min).ToArray();
        whiskers.Color = Colors.Black;
    }

    private static string Wrap(string title) => title.Length <= 16 ? title : title.Replace(", ", ",\n", StringComparison.Ordinal).Replace(" → ", " →\n", StringComparison.Ordinal);
}
