using System.Diagnostics;
using System.Globalization;
using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Mlffr;
using NetServ.Evaluation.Traffic;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// One MLFFR search through a <see cref="ForwardingBench"/> as the benchmarks run it: wait for a
/// quiet machine, an uncounted warm-up, then the RFC 2544 search with the options' trials and
/// resolution, every trial printed as it ends.
/// </summary>
internal sealed class SearchRunner(NodeRuntimeOptions options, IAnsiConsole console)
{
    /// <summary>Waits (with <see cref="NodeRuntimeOptions.QuietWaitSeconds"/>) for other work on the machine to calm down; returns how busy it kept the CPUs.</summary>
    public double WaitForQuiet(CancellationToken cancellationToken) =>
        CpuLoad.WaitForQuiet(TimeSpan.FromSeconds(options.BusySampleSeconds), options.QuietBusyFraction, TimeSpan.FromSeconds(options.QuietWaitSeconds), console, cancellationToken);

    /// <summary>
    /// Makes the options' <c>--generator</c> the generator of <paramref name="bench"/>'s trials and says which on the
    /// console: the paced generator where <paramref name="clickCannot"/> says why Click cannot send them (an error
    /// when Click was asked for), otherwise Click where asked for or where auto finds it on the sender.
    /// </summary>
    /// <exception cref="ArgumentException">Click asked for and <paramref name="clickCannot"/> given.</exception>
    /// <exception cref="ClickNotInstalledException">Click asked for, and the sender has none.</exception>
    public TrafficGeneratorUse UseGenerator(ForwardingBench bench, string? clickCannot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var use = clickCannot is null ? bench.UseGenerator(options.Generator, cancellationToken) : TrafficGeneratorUse.PacedBecause(options.Generator, clickCannot);
        GeneratorOption.Announce(console, use);
        return use;
    }

    /// <summary>
    /// Searches the MLFFR of what lies between the generator and the receiver (reaching <paramref name="queue"/>
    /// when given), offering <paramref name="frames"/> in turn, from <paramref name="high"/> down.
    /// <paramref name="label"/> starts every printed line ("64 B").
    /// </summary>
    public (MlffrResult Result, TimeSpan Duration, double MachineBusyBefore) Run(
        ForwardingBench bench, UdpFrameSet frames, IQueueProbe? queue, string label, double high, double warmupSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var busy = WaitForQuiet(cancellationToken);
        var watch = Stopwatch.StartNew();

        // Uncounted warm-up: the JIT tiers the containers' readers up, caches and neighbour entries fill.
        var warmupRate = Math.Min(options.WarmupRate, high / 2);
        var warmup = bench.RunTrial(frames, warmupRate, warmupSeconds, queue, cancellationToken);
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"  {label} warm-up {warmupRate / 1000:0} kpps: offered {warmup.Offered}, received {warmup.Received}, bypassed {warmup.Bypassed}")));

        var search = new MlffrSearch(options.SearchOptions(high));
        search.TrialCompleted += step => console.MarkupLine(TrialLine(label, step));
        var result = search.Run(rate => bench.RunTrial(frames, rate, options.TrialSeconds, queue, cancellationToken), cancellationToken);
        return (result, watch.Elapsed, busy);
    }

    /// <summary>A trial as the console shows it (markup).</summary>
    public static string TrialLine(string label, SearchStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var t = step.Trial;
        var colour = step.Passed ? "green" : "red";
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"  {label} trial {step.Index,2}{(step.Attempt > 1 ? " (again)" : string.Empty)}: {t.Rate / 1000,7:0.0} kpps → offered {t.Offered,8} (at {t.OfferedRate / 1000:0.0} kpps, {t.FailedSends} refused), received {t.Received,8}, lost {t.Lost}{(t.Bypassed > 0 ? $" ({t.Bypassed} bypassed the queue)" : string.Empty)}");
        return $"{Markup.Escape(text)} [{colour}]{step.Outcome.ToString().ToLowerInvariant()}[/]";
    }
}
