using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace NetServ.Orchestrator.Tests.View;

/// <summary>
/// The node view of <c>netserv-lab run --view</c> in a real headless browser (Debian's chromium) while a real run on the
/// local testbed sends traffic: the page loads, shows the rspec's nodes, and NetMonitor's count on the router grows.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class NodeViewBrowserTests
{
    // What the page shows, read in the page itself.
    private const string Read = """
        JSON.stringify({
          nodes: [...document.querySelectorAll('[data-node]')].map(e => e.dataset.node),
          netserv: [...document.querySelectorAll('.node.netserv')].map(e => e.dataset.node),
          packets: document.querySelector('[data-node=router] [data-module^="NetServ.Apps.NetMonitor"] [data-packets]')?.textContent ?? null,
          flows: document.querySelectorAll('[data-node=router] [data-flow]').length,
          links: document.querySelectorAll('#topology line').length,
          phase: document.getElementById('phase').textContent
        })
        """;

    [Test]
    public async Task View_WhileTrafficRuns_ShowsTheNodesAndTheCountsGrow()
    {
        RequiresRoot.Check();
        if (!File.Exists(HeadlessChromium.Path))
        {
            await TestContext.Progress.WriteLineAsync($"node view browser test skipped: {HeadlessChromium.Path} is not installed (./lab test installs chromium)");
            Assert.Ignore("chromium is not installed");
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var port = FreePort();
        using var output = new StringWriter();
        using var results = new TempFolder();
        var run = LabCommands.RunAsync(
            ["run", Path.Combine(Testbed.Nodes.BuildOutputs.RepositoryRoot, "rspecs", "evaluation.rspec.xml"), "--module", "NetMonitor", "--from", "sender", "--toward", "receiver", "--filter", "udp/5060",
             "--packets", "4000", "--rate", "400", "--view", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--results", results.Path, "--json"],
            output,
            cancellationToken: cancel.Token);
        await using var browser = await HeadlessChromium.StartAsync(cancel.Token);
        var url = new Uri($"http://127.0.0.1:{port}/");
        await WaitUntilServedAsync(url, run, cancel.Token);
        await browser.NavigateAsync(url, cancel.Token);

        var first = await WaitForAsync(browser, s => s["packets"] is JsonValue v && long.Parse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > 0, cancel.Token);
        await Task.Delay(1500, cancel.Token);
        var second = JsonNode.Parse((await browser.EvaluateAsync(Read, cancel.Token))!.GetValue<string>())!;
        await browser.ScreenshotAsync(Path.Combine(results.Path, "node-view.png"), cancel.Token);
        var exit = await run;

        Assert.Multiple(() =>
        {
            Assert.That(first["nodes"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "sender", "router", "receiver" }));
            Assert.That(first["netserv"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "router" }));
            Assert.That(first["links"]!.GetValue<int>(), Is.EqualTo(2), "the rspec's two links are drawn");
            Assert.That(first["phase"]!.GetValue<string>(), Is.EqualTo("run"));
            Assert.That(long.Parse(second["packets"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(long.Parse(first["packets"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)), "NetMonitor's count grows while the traffic runs");
            Assert.That(second["flows"]!.GetValue<int>(), Is.EqualTo(1), "NetMonitor's one flow, sender to receiver");
            Assert.That(new FileInfo(Path.Combine(results.Path, "node-view.png")).Length, Is.GreaterThan(10_000), "a screenshot of the page");
            Assert.That(exit, Is.Zero, output.ToString());
        });
    }

    private static async Task<JsonNode> WaitForAsync(HeadlessChromium browser, Func<JsonNode, bool> condition, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        JsonNode? last = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await browser.EvaluateAsync(Read, cancellationToken) is JsonValue text)
            {
                last = JsonNode.Parse(text.GetValue<string>())!;
                if (condition(last))
                {
                    return last;
                }
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new AssertionException($"the page never showed it; last: {last?.ToJsonString()}");
    }

    private static async Task WaitUntilServedAsync(Uri url, Task<int> run, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        while (!run.IsCompleted)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new AssertionException($"the run ended (exit {await run}) before the view answered");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ns-view-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
