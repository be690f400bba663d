using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Testbed;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>Settings of <see cref="ClickTrafficGenerator"/>.</summary>
public sealed class ClickGeneratorOptions
{
    /// <summary>The Click executable on the node: a name on its PATH or a path.</summary>
    public string Executable { get; set; } = ClickInstallation.DefaultExecutable;

    /// <summary>The CPU Click is pinned to (<c>taskset -c</c>), or null to leave it unpinned.</summary>
    public int? Cpu { get; set; }

    /// <summary>
    /// The nice value Click runs with (<c>nice -n</c>), or null to keep the caller's. RatedSource's bucket holds
    /// 10 ms of tokens: a stall longer than that (other work on a shared machine taking the CPU) loses rate
    /// for good, so a negative value keeps the asked rate where Click competes for its CPU.
    /// </summary>
    public int? Nice { get; set; }

    /// <summary>Time allowed beyond a spec's deadline for Click to start, read its configuration and exit; then it is killed.</summary>
    public TimeSpan StartupGrace { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Sends a <see cref="TrafficSpec"/> with the Click modular router on the node, as GENI experiments
/// generated traffic: writes the configuration (<see cref="ClickConfiguration"/>), runs userlevel
/// <c>click</c> on the node through its <see cref="INodeSession"/> (inside the namespace for local nodes),
/// bounded by the spec's deadline, and reads the source's and ToDevice's counters back with <c>click -h</c>.
/// </summary>
/// <remarks>
/// Click's ToDevice retries sends the kernel refuses for want of buffers, so on veth it slows down
/// rather than lose packets where the paced generator would count a loss: what arrived must be counted
/// at the receiver (<see cref="IptablesCounter"/>). A node without Click gets a <see cref="ClickNotInstalledException"/>;
/// <see cref="TrafficGenerators"/> falls back to the paced generator where the caller allows.
/// </remarks>
public sealed partial class ClickTrafficGenerator : ITrafficGenerator
{
    /// <summary>The name of this driver in results.</summary>
    public const string DriverName = "click";

    private readonly INodeSession _node;
    private readonly ClickGeneratorOptions _options;
    private readonly ILogger _logger;
    private ClickInstallation? _installation;

    /// <summary>A generator running Click on <paramref name="node"/>.</summary>
    public ClickTrafficGenerator(INodeSession node, ClickGeneratorOptions? options = null, ILogger<ClickTrafficGenerator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _options = options ?? new ClickGeneratorOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Driver => DriverName;

    /// <summary>What the node's <c>click</c> is, asked once.</summary>
    public ClickInstallation Installation => _installation ??= ClickInstallation.Detect(_node, _options.Executable);

    /// <inheritdoc />
    /// <exception cref="ClickNotInstalledException">The node has no Click modular router.</exception>
    /// <exception cref="CommandFailedException">Click rejected the configuration, failed, or outlived the deadline and was killed.</exception>
    /// <exception cref="OperationCanceledException">Cancellation killed Click before it ended.</exception>
    public TrafficResult Run(TrafficSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var configuration = ClickConfiguration.Write(spec);
        if (!Installation.IsInstalled)
        {
            throw new ClickNotInstalledException(Installation);
        }

        cancellationToken.ThrowIfCancellationRequested();
        List<string> arguments = ["-t"];
        foreach (var handler in ClickConfiguration.ResultHandlers)
        {
            arguments.AddRange(["-h", handler]);
        }

        var file = _options.Executable;
        if (_options.Nice is { } nice)
        {
            arguments.InsertRange(0, ["-n", nice.ToString(CultureInfo.InvariantCulture), file]);
            file = "nice";
        }

        if (_options.Cpu is { } cpu)
        {
            arguments.InsertRange(0, ["-c", cpu.ToString(CultureInfo.InvariantCulture), file]);
            file = "taskset";
        }

        // The configuration goes in on standard input (click reads it there without a file argument), so nothing is written on the node.
        Log.Starting(_logger, _node.NodeName, spec.Packets, spec.PacketsPerSecond, spec.WireBytes, spec.Payload);
        var started = Stopwatch.GetTimestamp();
        // ITrafficGenerator.Run is synchronous (the trial loops run it on threads of their own): a blocking wait.
        var result = _node.RunAsync(file, arguments, spec.MaxDuration + _options.StartupGrace, configuration, cancellationToken).GetAwaiter().GetResult().EnsureSuccess();
        var wall = Stopwatch.GetElapsedTime(started);
        var output = ParseOutput(result.StandardOutput)
            ?? throw new CommandFailedException($"'{result.Command}' on {_node.NodeName} printed no counters:\n{result.StandardOutput}\n{result.StandardError}");
        var elapsed = output.Elapsed ?? wall;
        var rate = output.RateSent(elapsed);
        Log.Finished(_logger, _node.NodeName, output.Offered, output.Sent, output.Failed, elapsed.TotalMilliseconds, rate);
        return new TrafficResult
        {
            Driver = DriverName,
            RequestedRate = spec.PacketsPerSecond,
            Requested = spec.Packets,
            Offered = output.Offered,
            Sent = output.Sent,
            FailedSends = output.Failed,
            Elapsed = elapsed,
            OfferedRate = rate,
            StoppedByDeadline = output.Offered < spec.Packets,
            ClickOutput = result.StandardOutput + result.StandardError,
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Every run is a process that ended with it: nothing to release.
    }

    /// <summary>
    /// Reads <c>click -t -h src.count -h sent.count -h failed.count -h steady.count -h steady.rate</c>'s output:
    /// the time line (<c>0.12u 0.34s 0:01.23</c>, the driver's wall time last) and one <c>element.handler:</c>
    /// block per handler. Null when one of the first three counters is missing; the steady counter's are optional.
    /// </summary>
    internal static ClickCounters? ParseOutput(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in HandlerBlock().Matches(output))
        {
            if (double.TryParse(m.Groups[2].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                values[m.Groups[1].Value] = value;
            }
        }

        var handlers = ClickConfiguration.ResultHandlers;
        if (!values.TryGetValue(handlers[0], out var offered)
            || !values.TryGetValue(handlers[1], out var sent)
            || !values.TryGetValue(handlers[2], out var failed))
        {
            return null;
        }

        TimeSpan? elapsed = null;
        if (TimeLine().Match(output) is { Success: true } t)
        {
            elapsed = TimeSpan.FromMinutes(int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture))
                + TimeSpan.FromSeconds(double.Parse(t.Groups[2].Value, CultureInfo.InvariantCulture));
        }

        return new ClickCounters((long)offered, (long)sent, (long)failed, elapsed)
        {
            SteadyCount = values.TryGetValue(handlers[3], out var steadyCount) ? (long)steadyCount : null,
            SteadyRate = values.TryGetValue(handlers[4], out var steadyRate) ? steadyRate : null,
        };
    }

    [GeneratedRegex(@"^(\w+\.\w+):\r?\n([0-9][0-9.eE+-]*)\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex HandlerBlock();

    [GeneratedRegex(@"^\d+\.\d+u \d+\.\d+s (\d+):(\d+\.\d+)\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex TimeLine();

    private static partial class Log
    {
        [LoggerMessage(2901, LogLevel.Information, "Click on {Node}: {Packets} packets of {WireBytes} bytes ({Payload}) at {Rate} pps")]
        public static partial void Starting(ILogger logger, string node, long packets, double rate, int wireBytes, UdpPayloadKind payload);

        [LoggerMessage(2902, LogLevel.Information, "Click on {Node} offered {Offered}, the kernel took {Sent}, refused {Failed}, in {Milliseconds} ms, at {Rate} pps")]
        public static partial void Finished(ILogger logger, string node, long offered, long sent, long failed, double milliseconds, double rate);
    }
}

/// <summary>What Click's handlers said after a run.</summary>
/// <param name="Offered">The source's count: packets handed to ToDevice.</param>
/// <param name="Sent">Packets the kernel took.</param>
/// <param name="Failed">Packets ToDevice gave up on (an error other than ENOBUFS/EAGAIN).</param>
/// <param name="Elapsed">The driver's wall time (<c>click -t</c>, to 10 ms), when printed.</param>
internal sealed record ClickCounters(long Offered, long Sent, long Failed, TimeSpan? Elapsed)
{
    /// <summary>Packets the AverageCounter counted once the source's initial burst was over.</summary>
    public long? SteadyCount { get; init; }

    /// <summary>Their rate over Click's own time from the first of them to the last (millisecond clock).</summary>
    public double? SteadyRate { get; init; }

    /// <summary>
    /// The rate sent: the steady counter's where it saw enough packets for its millisecond clock to
    /// resolve 1 % (a run shorter than the initial burst has none), otherwise offered over <paramref name="elapsed"/>.
    /// </summary>
    public double RateSent(TimeSpan elapsed) =>
        SteadyCount is >= 2 and { } count && SteadyRate is > 0 and { } rate && count / rate >= 0.1
            ? rate
            : elapsed > TimeSpan.Zero ? Offered / elapsed.TotalSeconds : 0;
}
