using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Orchestrator.Experiments;
using NetServ.Testbed.Linux;
using NetServ.Traffic;
using Spectre.Console;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-lab run RSPEC [options]</c>: an experiment through every phase, with live progress, or
/// with <c>--json</c> only the summary on standard output. Exit 0 when every phase succeeded, 1 when
/// one failed, 2 for bad arguments (nothing is created), 130 when stopped.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var rspec = new Argument<string>("rspec") { Description = "the GENI RSpec v3 request file" };
        var netservNodes = new Option<string?>("--netserv-nodes") { Description = "nodes to deploy netservd on, comma-separated (default: the nodes whose execute service starts netservd)" };
        var user = new Option<string>("--user") { Description = "the NetServ user configured on the nodes; SETUPs are signed with a key made for this run", DefaultValueFactory = _ => "demo" };
        var module = new Option<string?>("--module") { Description = "a module to install through signaling: a folder of applications/ (NetMonitor), a package id, or a .nupkg" };
        var from = new Option<string?>("--from") { Description = "the node that sends the SETUP and serves the package" };
        var toward = new Option<string?>("--toward") { Description = "where the SETUP travels: a node or an address of one" };
        var filter = new Option<string?>("--filter") { Description = "the packets the module processes: udp/PORT, tcp/PORT, udp, tcp or any" };
        var filterDst = new Option<string?>("--filter-dst") { Description = "the filter's destination prefix (default: the subnet of --toward)" };
        var properties = new Option<string?>("--properties") { Description = "key=value,... handed to the module" };
        var allowPorts = new Option<string?>("--allow-ports") { Description = "ports the user may listen on, as 5070,30000-30099 or none (default: the ports the modules declare, with their --properties)" };
        var ttl = new Option<int?>("--ttl") { Description = "seconds until the module expires unless refreshed" };
        var packets = new Option<long>("--packets") { Description = "UDP packets sent in the run phase (0: no traffic)", DefaultValueFactory = _ => 0 };
        var rate = new Option<double>("--rate") { Description = "packets per second", DefaultValueFactory = _ => 1000 };
        var generator = new Option<string>("--generator") { Description = "who sends the run phase's packets: paced (the project's generator), click (Click on the sending node; an error where it has none) or auto (Click where the sending node has it, paced otherwise)", DefaultValueFactory = _ => "paced" };
        generator.AcceptOnlyFromAmong([.. TrafficGenerators.ChoiceNames]);
        var trafficFrom = new Option<string?>("--traffic-from") { Description = "the sending node (default --from)" };
        var trafficTo = new Option<string?>("--traffic-to") { Description = "the receiving node or address (default --toward)" };
        var port = new Option<int?>("--port") { Description = "UDP destination port of the traffic (default: the filter's port, else 5060)" };
        var results = new Option<string?>("--results") { Description = "folder for logs, PROBE answers and summary.json (default artifacts/experiments/<time>-<testbed>)" };
        var keep = new Option<bool>("--keep-modules") { Description = "do not REMOVE the modules before release (they go with the nodes anyway)" };
        var executeTimeout = new Option<double>("--execute-timeout") { Description = "seconds one execute service of the rspec may run", DefaultValueFactory = _ => 60 };
        var view = new Option<int?>("--view") { Description = "serve the live node view (topology, modules and their packet counts, NetMonitor's flows) on http://127.0.0.1:PORT/ while the run lasts; 0 for any free port; with --hold it stays up until Ctrl-C" };
        var hold = new Option<bool>("--hold") { Description = "keep the testbed up after collect until Ctrl-C (printing how to enter each node), then release it" };
        var json = new Option<bool>("--json") { Description = "print only a JSON summary on standard output" };
        var remap = ValidateCommand.RemapAddressesOption();
        var (testbed, image) = TestbedOptions();
        var verbose = new Option<bool>("--verbose") { Description = "log the runner's own diagnostics on standard error" };
        var command = new Command("run", "Run an experiment: reserve, deploy, configure, run, collect, release (always); on the local or Docker testbed, or on a GENI aggregate (--aggregate)")
        {
            rspec, testbed, image, netservNodes, user, module, from, toward, filter, filterDst, properties, allowPorts, ttl, packets, rate, generator, trafficFrom, trafficTo, port, results, keep, executeTimeout, hold, view, remap, json, verbose,
        };
        var geni = new AggregateArguments(aggregateRequired: false);
        foreach (var option in geni.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var moduleName = result.GetValue(module);
            var fromNode = result.GetValue(from);
            var towardNode = result.GetValue(toward);
            var filterText = result.GetValue(filter);
            var count = result.GetValue(packets);
            var pps = result.GetValue(rate);
            string? Bad()
            {
                if (moduleName is not null && (fromNode is null || towardNode is null))
                {
                    return "--module needs --from and --toward";
                }

                if ((Unreadable(filterText, ExperimentArguments.ParseFilter) ?? Unreadable(result.GetValue(allowPorts), ExperimentArguments.ParsePorts)) is { } unreadable)
                {
                    return unreadable;
                }

                if ((TestbedProblem(result, testbed, image) ?? geni.Problem(result)) is { } testbedProblem)
                {
                    return testbedProblem;
                }

                if (geni.Given(result) && (result.GetResult(testbed) is { Implicit: false } || result.GetResult(image) is { Implicit: false }))
                {
                    return "--aggregate runs on the aggregate's nodes: it does not go with --testbed or --image";
                }

                if (result.GetValue(hold) && result.GetValue(json))
                {
                    return "--hold is for interactive work: it does not go with --json";
                }

                if (count is < 0 or > 10_000_000 || pps is < 1 or > 1_000_000)
                {
                    return "--packets must be 0-10000000 and --rate 1-1000000";
                }

                if (count > 0 && (result.GetValue(trafficFrom) ?? fromNode) is null || count > 0 && (result.GetValue(trafficTo) ?? towardNode) is null)
                {
                    return "traffic needs --traffic-from and --traffic-to (or --from and --toward)";
                }

                return result.GetValue(executeTimeout) <= 0 ? "--execute-timeout must be positive" : null;
            }

            if (Bad() is { } problem)
            {
                await error.WriteLineAsync($"netserv-lab: {problem}").ConfigureAwait(false);
                return 2;
            }

            var filterPort = filterText is null ? null : ExperimentArguments.ParseFilter(filterText).Port;
            var opened = geni.Given(result) ? await geni.OpenAsync(result, error, error, cancellationToken).ConfigureAwait(false) : null;
            if (geni.Given(result) && opened is null)
            {
                return 2;
            }

            using var access = opened?.Access;
            var options = new ExperimentOptions
            {
                Testbed = opened is null ? ParseTestbed(result.GetValue(testbed)!) : ExperimentTestbedKind.Aggregate,
                Aggregate = opened?.Run,
                Image = result.GetValue(image),
                NetServNodes = result.GetValue(netservNodes) is { } names ? ExperimentArguments.ParseList(names) : null,
                User = result.GetValue(user)!,
                AllowedPorts = result.GetValue(allowPorts) is { } ports ? ExperimentArguments.ParsePorts(ports) : null,
                Modules = moduleName is null ? [] :
                [
                    new ModuleStep(moduleName, fromNode!, towardNode!)
                    {
                        Filter = filterText,
                        FilterDestination = result.GetValue(filterDst),
                        Properties = result.GetValue(properties),
                        TtlSeconds = result.GetValue(ttl),
                    },
                ],
                Traffic = count == 0 ? null : new TrafficStep(result.GetValue(trafficFrom) ?? fromNode!, result.GetValue(trafficTo) ?? towardNode!, result.GetValue(port) ?? filterPort ?? 5060, pps, count)
                {
                    Generator = TrafficGenerators.ParseChoice(result.GetValue(generator)!),
                },
                ResultsDirectory = result.GetValue(results),
                RemoveModules = !result.GetValue(keep),
                ExecuteTimeout = TimeSpan.FromSeconds(result.GetValue(executeTimeout)),
                Hold = result.GetValue(hold),
                RemapAddresses = result.GetValue(remap),
            };
            var (viewStarted, nodeView) = await StartViewAsync(result.GetValue(view), result.GetValue(json) ? error : output, error, cancellationToken).ConfigureAwait(false);
            await using var _ = nodeView;
            if (!viewStarted)
            {
                return 2;
            }

            var outcome = await ExecuteAsync(result.GetValue(rspec)!, options with { View = nodeView }, result.GetValue(json), result.GetValue(verbose), output, error, cancellationToken).ConfigureAwait(false);
            return outcome.ExitCode;
        });
        return command;
    }

    /// <summary>
    /// The node view of <c>--view PORT</c>, on loopback only (null without the option); not started when it cannot listen
    /// (said on <paramref name="error"/>: the run does not start).
    /// </summary>
    private static async Task<(bool Started, View.NodeViewServer? Server)> StartViewAsync(int? port, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (port is not { } number)
        {
            return (true, null);
        }

        if (number is < 0 or > 65535)
        {
            await error.WriteLineAsync($"netserv-lab: --view {number}: a port is 0-65535").ConfigureAwait(false);
            return (false, null);
        }

        try
        {
            var server = await View.NodeViewServer.StartAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, number), TimeProvider.System, NullLogger.Instance, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"the node view: {server.Address} (open it in a browser; from another machine, forward the port with ssh -L {server.Address.Port}:127.0.0.1:{server.Address.Port})").ConfigureAwait(false);
            return (true, server);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"netserv-lab: --view {number}: cannot serve the node view on 127.0.0.1:{number}: {e.Message}").ConfigureAwait(false);
            return (false, null);
        }
    }

    /// <summary><c>--testbed local|docker</c> and <c>--image</c>, as run and quickstart take them.</summary>
    internal static (Option<string> Testbed, Option<string?> Image) TestbedOptions(string? defaultImage = null)
    {
        var testbed = new Option<string>("--testbed")
        {
            Description = "where the rspec is realised: local (a network namespace per node on this machine) or docker (a container of the node image per node, reached over SSH)",
            DefaultValueFactory = _ => "local",
        };
        testbed.AcceptOnlyFromAmong("local", "docker");
        var image = new Option<string?>("--image")
        {
            Description = defaultImage is null
                ? "docker: the image every node runs, whatever its disk_image says (default: each node's disk_image, which must name a local image such as netserv/node)"
                : $"docker: the image every node runs (default {defaultImage}, what ./lab image builds)",
            DefaultValueFactory = _ => defaultImage,
        };
        return (testbed, image);
    }

    /// <summary>The testbed <c>--testbed</c> names.</summary>
    internal static ExperimentTestbedKind ParseTestbed(string name) => name == "docker" ? ExperimentTestbedKind.Docker : ExperimentTestbedKind.Local;

    /// <summary>Why the testbed options do not go together; null when they do.</summary>
    internal static string? TestbedProblem(ParseResult result, Option<string> testbed, Option<string?> image) =>
        result.GetValue(image) is not null && result.GetResult(image) is { Implicit: false } && result.GetValue(testbed) != "docker"
            ? "--image names the image of the Docker testbed's nodes: it goes with --testbed docker"
            : null;

    /// <summary>Why <paramref name="text"/> cannot be read by <paramref name="parse"/>; null when it can, or is absent.</summary>
    private static string? Unreadable<T>(string? text, Func<string, T> parse)
    {
        try
        {
            _ = text is null ? default : parse(text);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Reads the rspec, runs the experiment with progress (or silently for JSON) and prints the outcome.
    /// <paramref name="check"/> lists what the caller wants beyond every phase succeeding (the quickstart's checks).
    /// </summary>
    public static async Task<(int ExitCode, ExperimentResult? Result)> ExecuteAsync(
        string rspecPath,
        ExperimentOptions options,
        bool json,
        bool verbose,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        Func<ExperimentResult, IReadOnlyList<(string Check, bool Passed)>>? check = null)
    {
        if (!ValidateCommand.TryRead(rspecPath, error, out var request))
        {
            return (2, null);
        }

        var console = CreateConsole(output);
        using var loggers = verbose
            ? LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Debug))
            : NullLoggerFactory.Instance;
        var progress = json ? null : new ConsoleProgress(console);
        await using var runner = new ExperimentRunner(options, (IExperimentProgress?)progress ?? new SilentProgress(), TimeProvider.System, loggers.CreateLogger<ExperimentRunner>());
        using var stop = new StopSignals("netserv-lab", "stopping; releasing the testbed", cancellationToken);
        var result = progress is null
            ? await runner.RunAsync(request, rspecPath, stop.Token).ConfigureAwait(false)
            : await progress.LiveAsync(() => runner.RunAsync(request, rspecPath, stop.Token)).ConfigureAwait(false);
        var checks = check?.Invoke(result) ?? [];
        var passed = result.Succeeded && checks.All(c => c.Passed);
        if (json)
        {
            var document = result.ToJson();
            document["checks"] = new System.Text.Json.Nodes.JsonArray(checks.Select(c => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject { ["check"] = c.Check, ["passed"] = c.Passed }).ToArray());
            document["succeeded"] = passed;
            await output.WriteLineAsync(document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })).ConfigureAwait(false);
        }
        else
        {
            Summarise(console, result, checks, passed);
        }

        return (result.Stopped ? 130 : passed ? 0 : 1, result);
    }

    private static void Summarise(IAnsiConsole console, ExperimentResult result, IReadOnlyList<(string Check, bool Passed)> checks, bool passed)
    {
        var table = new Table().Title("phases").AddColumns("phase", "outcome", "seconds");
        foreach (var phase in result.Phases)
        {
            table.AddRow(phase.Name, phase.Outcome.ToString().ToLowerInvariant(), phase.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        foreach (var (text, ok) in checks)
        {
            console.MarkupLine($"{(ok ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(text)}");
        }

        foreach (var failure in result.Errors)
        {
            console.MarkupLineInterpolated($"[red]{failure}[/]");
        }

        if (result.ResultsDirectory is { } folder)
        {
            console.MarkupLineInterpolated($"results: [blue]{folder}[/]");
        }

        console.MarkupLine(result.Stopped ? "[yellow]stopped[/]: the testbed was released"
            : passed ? "[green]the experiment succeeded[/]; the testbed was released"
            : "[red]the experiment failed[/]; the testbed was released");
    }

    /// <summary>
    /// A console on <paramref name="output"/>: on a terminal as wide as the terminal, in colour;
    /// elsewhere (a file, a pipe, a test) plain text that never wraps.
    /// </summary>
    internal static IAnsiConsole CreateConsole(TextWriter output) => CommandConsole.Create(output);
}
