using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetServ.Orchestrator.Quickstart;
using NetServ.Testbed.Linux;
using Spectre.Console;

namespace NetServ.Orchestrator;

/// <summary>The command line of netserv-lab.</summary>
internal static class LabCommands
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var root = new RootCommand("netserv-lab: NetServ experiments on the local testbed") { Quickstart(output) };
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }

    private static Command Quickstart(TextWriter output)
    {
        var packets = new Option<int>("--packets") { Description = "how many UDP packets to send through the router", DefaultValueFactory = _ => 2000 };
        var rate = new Option<int>("--rate") { Description = "packets per second", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "print only a JSON summary" };
        var command = new Command("quickstart", "Three namespaces, netservd on the router, NetMonitor installed through the admin API, traffic, counts") { packets, rate, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var count = result.GetValue(packets);
            var pps = result.GetValue(rate);
            if (count is < 1 or > 1_000_000 || pps is < 1 or > 100_000)
            {
                await Console.Error.WriteLineAsync("netserv-lab: --packets must be 1-1000000 and --rate 1-100000").ConfigureAwait(false);
                return 2;
            }

            var asJson = result.GetValue(json);
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            if (Console.IsOutputRedirected || !ReferenceEquals(output, Console.Out))
            {
                // Logs and CI capture the output: do not wrap long lines at 80 columns.
                console.Profile.Width = 160;
            }

            IQuickstartReporter reporter = asJson ? new SilentReporter() : new ConsoleReporter(console);
            using var interrupted = new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, interrupted.Token);
            void OnCancel(object? sender, ConsoleCancelEventArgs e)
            {
                e.Cancel = true;
                interrupted.Cancel();
            }

            Console.CancelKeyPress += OnCancel;
            try
            {
                var outcome = await new QuickstartRunner(new QuickstartOptions { Packets = count, PacketsPerSecond = pps }, reporter).RunAsync(linked.Token).ConfigureAwait(false);
                if (asJson)
                {
                    await output.WriteLineAsync(ToJson(outcome).ToJsonString(Indented)).ConfigureAwait(false);
                }
                else
                {
                    Summarise(console, outcome);
                }

                return outcome.Succeeded ? 0 : 1;
            }
            catch (OperationCanceledException)
            {
                await Console.Error.WriteLineAsync("netserv-lab: interrupted; the testbed was torn down").ConfigureAwait(false);
                return 130;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or CommandFailedException or IOException)
            {
                await Console.Error.WriteLineAsync($"netserv-lab: quickstart failed: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            finally
            {
                Console.CancelKeyPress -= OnCancel;
            }
        });
        return command;
    }

    private static void Summarise(IAnsiConsole console, QuickstartResult result)
    {
        var table = new Table().Title("NetMonitor's counts on the router").AddColumns("source", "destination", "TTL", "packets");
        foreach (var count in result.Counts)
        {
            table.AddRow(count.Source, count.Destination, count.Ttl.ToString(System.Globalization.CultureInfo.InvariantCulture), count.Packets.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"sent {result.PacketsSent}, received {result.PacketsReceived}, counted {result.Counts.Sum(c => c.Packets)}; SETUP took {result.SetupMilliseconds:0} ms; {result.VisualizerReports} reports reached the visualizer");
        console.MarkupLine(result.Succeeded
            ? "[green]quickstart succeeded[/]: every packet was forwarded and counted, the module and its rule are gone, the testbed is torn down"
            : "[red]quickstart found a problem[/]: see the counts above");
    }

    private static JsonObject ToJson(QuickstartResult result) => new()
    {
        ["succeeded"] = result.Succeeded,
        ["module"] = result.Module,
        ["packetsSent"] = result.PacketsSent,
        ["packetsReceived"] = result.PacketsReceived,
        ["counts"] = new JsonArray(result.Counts.Select(c => (JsonNode?)new JsonObject
        {
            ["source"] = c.Source,
            ["destination"] = c.Destination,
            ["ttl"] = c.Ttl,
            ["packets"] = c.Packets,
        }).ToArray()),
        ["visualizerReports"] = result.VisualizerReports,
        ["rulesWhileInstalled"] = new JsonArray(result.RulesWhileInstalled.Select(r => (JsonNode?)r).ToArray()),
        ["rulesAfterRemove"] = new JsonArray(result.RulesAfterRemove.Select(r => (JsonNode?)r).ToArray()),
        ["setupMilliseconds"] = Math.Round(result.SetupMilliseconds, 1),
        ["tornDown"] = result.TornDown,
    };
}
