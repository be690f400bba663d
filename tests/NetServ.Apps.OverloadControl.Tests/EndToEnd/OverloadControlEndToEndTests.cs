using System.Globalization;
using System.Text.RegularExpressions;
using NetServ.Testbed.Linux;
using NetServ.TestSupport.Sip;

namespace NetServ.Apps.OverloadControl.Tests.EndToEnd;

/// <summary>
/// Overload Control on a real path (paper section 6.4, Figure 10): sipp as the user agents,
/// netservd on the router, overload-server as the SIP server of limited capacity. Offered load
/// above its capacity makes the server install the module near the user agents and feed it its
/// capacity as the target rate; from then on the server receives the target rate and the user
/// agents get 503 for the rest; REMOVE restores pass-through.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class OverloadControlEndToEndTests : SipPathFixture
{
    private const string Module = "NetServ.Apps.OverloadControl_1.0.0";
    private const int FeedbackPort = 5070;
    private const int Capacity = 50;
    private const int Offered = 200;
    private const int FeedbackTimeout = 3;

    private static readonly SipPathOptions PathOptions = new("oc", "NetServ.Apps.OverloadControl", "applications/OverloadControl/NetServ.Apps.OverloadControl.csproj", "NetServ.Apps.OverloadControl.Server", "overload-server")
    {
        AllowedPorts = [FeedbackPort],
    };

    protected override SipPathOptions Options => PathOptions;

    [Test]
    public async Task OfferedLoadAboveCapacity_ServerReceivesTheTargetRateAndTheRestGet503_RemoveRestoresPassThrough()
    {
        StartServer();
        await Path.WaitForServerLogAsync("SIP server on udp", TimeSpan.FromSeconds(30));

        // 200 MESSAGEs a second for 15 s against a server that handles 50.
        var overload = Path.Sipp("message-200-or-503.xml", Offered * 15, Offered, concurrent: Offered);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(overload.ExitCode, Is.Zero, overload.ToString());
            Assert.That(overload.Failed, Is.Zero, overload.ToString());
            Assert.That(overload.ResponsesOf(200) + overload.ResponsesOf(503), Is.EqualTo(Offered * 15), overload.ToString());
        }

        Assert.That(Path.ServerLines($"SETUP {Module} toward {SipPath.UaAddress}: 200 from 1 NetServ node(s)"), Is.EqualTo(1), string.Join('\n', Path.ServerLog));
        var status = await Path.ModuleStatusAsync();
        var received = ReceivedRateWhileControlled();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received, Is.EqualTo(Capacity).Within(Capacity * 0.10), "the rate the server receives once the module is active");
            Assert.That(overload.ResponsesOf(503), Is.GreaterThan(Offered * 15 / 2), "most of the offered load is rejected near the user agents");
            Assert.That(status["rejected"]!.GetValue<long>(), Is.EqualTo(overload.ResponsesOf(503)), "every rejection reached the user agent as a 503");
            Assert.That(status["feedbackReceived"]!.GetValue<long>(), Is.GreaterThan(5));
            Assert.That(status["targetRate"]!.GetValue<double>(), Is.EqualTo(Capacity));
            Assert.That(status["malformed"]!.GetValue<long>(), Is.Zero);
        }

        // REMOVE, signed by the ITSP: the module and its feedback socket are gone, the server sees the whole offered load again.
        var remove = Path.Cli("remove", Module, "--dest", SipPath.UaAddress.ToString(), "--user", SipPath.User, "--key", Path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
        Assert.That(await Path.ModulesAsync(), Is.Empty);
        Assert.That(FeedbackPortBound(), Is.False, "the module's feedback socket is closed with it");
        var before = await SettledTotalAsync();

        var passThrough = Path.Sipp("message-200-or-503.xml", Offered * 5, Offered, concurrent: Offered);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(passThrough.ExitCode, Is.Zero, passThrough.ToString());
            Assert.That(passThrough.ResponsesOf(200), Is.EqualTo(Offered * 5), passThrough.ToString());
            Assert.That(passThrough.ResponsesOf(503), Is.Zero, passThrough.ToString());
        }

        await WaitForTotalAsync(before + (Offered * 5));
    }

    [Test]
    public async Task ServerStopsSendingFeedback_ModuleFailsOpen()
    {
        StartServer();
        await Path.WaitForServerLogAsync("SIP server on udp", TimeSpan.FromSeconds(30));
        Path.Sipp("message-200-or-503.xml", Offered * 5, Offered, concurrent: Offered);
        await Path.WaitForServerLogAsync("feedback Rate", TimeSpan.FromSeconds(10));
        Assert.That((await Path.ModuleStatusAsync())["mode"]!.GetValue<string>(), Is.EqualTo("rate"));

        Path.StopSipServer();
        await Task.Delay(TimeSpan.FromSeconds(FeedbackTimeout + 1));

        Assert.That((await Path.ModuleStatusAsync())["mode"]!.GetValue<string>(), Is.EqualTo("pass-through"));
    }

    private void StartServer() =>
        Path.StartSipServer(
        [
            .. Path.SignalingArguments, "--capacity", Invariant(Capacity), "--feedback-port", Invariant(FeedbackPort),
            "--tick-ms", "500", "--feedback-timeout", Invariant(FeedbackTimeout), "--retry-after", "5",
        ]);

    /// <summary>
    /// The rate the server received from 1.5 s after its first feedback (the module active, the
    /// bucket's first burst spent) to the last tick before sipp stopped, from its tick log lines.
    /// </summary>
    private double ReceivedRateWhileControlled()
    {
        var log = Path.ServerLog;
        var firstFeedback = log.ToList().FindIndex(l => l.Contains("feedback Rate", StringComparison.Ordinal));
        Assert.That(firstFeedback, Is.GreaterThan(0), string.Join('\n', log));
        var ticks = log.Skip(firstFeedback).Select(l => TickLine().Match(l)).Where(m => m.Success)
            .Select(m => (Elapsed: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Total: long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        var start = ticks.First(t => t.Elapsed >= ticks[0].Elapsed + 1.5);
        var lastGrowth = ticks.FindIndex(t => t.Total == ticks[^1].Total);
        var end = ticks[Math.Max(0, lastGrowth - 1)];
        Assert.That(end.Elapsed - start.Elapsed, Is.GreaterThanOrEqualTo(4), "the module was active for long enough to measure:\n" + string.Join('\n', log));
        var rate = (end.Total - start.Total) / (end.Elapsed - start.Elapsed);
        TestContext.Progress.WriteLine($"the server received {rate:F1} requests/s from {start.Elapsed:F1} s to {end.Elapsed:F1} s");
        return rate;
    }

    private long LastTotal() =>
        Path.ServerLog.Select(l => TickLine().Match(l)).Where(m => m.Success).Select(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).LastOrDefault();

    /// <summary>
    /// The server's total once its tick lines (every 500 ms) have shown the same count for 1.5 s: read at
    /// once, the last requests of the previous phase may not be logged yet and would be counted in the next.
    /// </summary>
    private async Task<long> SettledTotalAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var total = LastTotal();
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < TimeSpan.FromSeconds(1.5) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            var now = LastTotal();
            if (now != total)
            {
                (total, since) = (now, DateTime.UtcNow);
            }
        }

        return total;
    }

    private async Task WaitForTotalAsync(long total)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (LastTotal() < total && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.That(LastTotal(), Is.EqualTo(total), "every request reached the server after REMOVE");
    }

    private bool FeedbackPortBound()
    {
        var result = CommandRunner.Run("ip", ["netns", "exec", Path.RouterNamespace.Name, "ss", "-Hlun", "sport", "=", ":" + Invariant(FeedbackPort)], TimeSpan.FromSeconds(10));
        return !string.IsNullOrWhiteSpace(result.StandardOutput);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"tick (\d+\.\d+) s: load [\d.]+ req/s, (\d+) received")]
    private static partial Regex TickLine();
}
