using System.Globalization;
using NetServ.Evaluation.Reporting;
using ScottPlot;

namespace NetServ.Evaluation.Containers;

/// <summary>PNG plots of a container-count run (ScottPlot), mirroring the paper's Figure 14: throughput and memory against the number of containers.</summary>
internal static class ContainerPlots
{
    private static readonly Color Saturation = Color.FromHex("#ff7f0e");

    /// <summary>Peak throughput (median, whiskers min–max) and throughput at saturation against the container count.</summary>
    public static void Throughput(ContainersResults results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plot = new Plot();
        var peaks = results.Counts.Where(c => c.PeakKpps is not null).ToArray();
        if (peaks.Length > 0)
        {
            var xs = peaks.Select(c => (double)c.Containers).ToArray();
            var line = plot.Add.Scatter(xs, peaks.Select(c => c.PeakKpps!.Value.Median).ToArray(), Plots.Measured);
            line.LegendText = "peak throughput (MLFFR): median, whiskers min–max";
            line.MarkerSize = 8;
            line.LineWidth = 2;
            Plots.Whiskers(plot, xs, peaks.Select(c => (c.PeakKpps!.Value.Median, c.PeakKpps!.Value.Min, c.PeakKpps!.Value.Max)));
        }

        var saturated = results.Counts.Where(c => c.SaturationKpps is not null).ToArray();
        if (saturated.Length > 0)
        {
            var xs = saturated.Select(c => (double)c.Containers).ToArray();
            var line = plot.Add.Scatter(xs, saturated.Select(c => c.SaturationKpps!.Value.Median).ToArray(), Saturation);
            line.LegendText = "throughput at saturation (processed by the containers)";
            line.MarkerSize = 8;
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
            Plots.Whiskers(plot, xs, saturated.Select(c => (c.SaturationKpps!.Value.Median, c.SaturationKpps!.Value.Min, c.SaturationKpps!.Value.Max)));
        }

        var highest = results.Counts.SelectMany(c => new[] { c.PeakKpps?.Max ?? 0, c.SaturationKpps?.Max ?? 0 }).DefaultIfEmpty(1).Max();
        CountAxis(plot, results);
        plot.Axes.SetLimitsY(0, Math.Max(1, highest) * 1.25);
        plot.Title($"Throughput against the number of containers (NetMonitor in each, {results.Options.Size}-byte frames)");
        plot.YLabel("throughput (kpps)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>PSS per container (mean, and the largest) against the count, with the target and the paper's JVM containers as lines.</summary>
    public static void Memory(ContainersResults results, string path, double targetMb)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plot = new Plot();
        var measured = results.Counts.Where(c => c.Memory is { Succeeded: true }).ToArray();
        var xs = measured.Select(c => (double)c.Containers).ToArray();
        var mean = plot.Add.Scatter(xs, measured.Select(c => c.Memory!.MeanMb).ToArray(), Plots.Measured);
        mean.LegendText = "PSS per container, mean (while processing the peak rate)";
        mean.MarkerSize = 8;
        mean.LineWidth = 2;
        var max = plot.Add.Scatter(xs, measured.Select(c => c.Memory!.MaxMb).ToArray(), Saturation);
        max.LegendText = "PSS per container, largest";
        max.MarkerSize = 6;
        max.LinePattern = LinePattern.Dashed;
        var target = plot.Add.HorizontalLine(targetMb, 2, Colors.Red, LinePattern.Dashed);
        target.LegendText = $"target {targetMb:0} MB";
        var top = measured.Select(c => c.Memory!.MaxMb).DefaultIfEmpty(targetMb).Max();
        if (PaperReference.MemoryPerContainerMb is { } paper)
        {
            var line = plot.Add.HorizontalLine(paper, 2, Plots.Paper, LinePattern.Solid);
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"paper: ~{paper:0} MB per JVM container (busy)");
            top = Math.Max(top, paper);
        }

        CountAxis(plot, results);
        plot.Axes.SetLimitsY(0, Math.Max(top, targetMb) * 1.2);
        plot.Title("Memory per container against the number of containers");
        plot.YLabel("PSS per container (MB)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>The PSS of all containers together against the count, with the paper's (about 110 MB each) as a reference line.</summary>
    public static void TotalMemory(ContainersResults results, string path)
    {
        ArgumentNullException.ThrowIfNull(results);
        var plot = new Plot();
        var measured = results.Counts.Where(c => c.Memory is { Succeeded: true }).ToArray();
        var xs = measured.Select(c => (double)c.Containers).ToArray();
        var ys = measured.Select(c => c.Memory!.PerContainer.Sum(m => m.PssBytes) / 1048576.0).ToArray();
        var total = plot.Add.Scatter(xs, ys, Plots.Measured);
        total.LegendText = "PSS of all containers";
        total.MarkerSize = 8;
        total.LineWidth = 2;
        var top = ys.DefaultIfEmpty(1).Max();
        if (PaperReference.MemoryPerContainerMb is { } paper && xs.Length > 0)
        {
            var reference = plot.Add.Scatter(new[] { 0.0, xs.Max() }, new[] { 0.0, paper * xs.Max() }, Plots.Paper);
            reference.LegendText = string.Create(CultureInfo.InvariantCulture, $"paper: ~{paper:0} MB per container");
            reference.MarkerSize = 0;
            reference.LineWidth = 2;
            top = Math.Max(top, paper * xs.Max());
        }

        CountAxis(plot, results);
        plot.Axes.SetLimitsY(0, top * 1.1);
        plot.Title("Memory of all containers against their number");
        plot.YLabel("PSS (MB)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>The container counts as the x axis, one tick each, from 0.</summary>
    private static void CountAxis(Plot plot, ContainersResults results)
    {
        var counts = results.Options.Counts.Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            counts.Select(c => (double)c).ToArray(),
            counts.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(0, counts[^1] * 1.05);
        plot.XLabel("containers (users), traffic spread evenly over them");
    }
}
