using System.Net;
using System.Text;
using NetServ.TestSupport.Sip;
using NetServ.TestSupport.Traffic;

namespace NetServ.Apps.KeepAlive.Tests.EndToEnd;

/// <summary>
/// The KeepAlive Responder on a real path (paper section 6.2, Figure 8): sipp as the user agent,
/// netservd on the router, keepalive-server as the SIP server. The server answers keep-alives until
/// their rate passes its threshold, then installs the module with a signed SETUP toward the user
/// agent; from then on the router answers them and the server sees none, while other requests
/// still reach the server; REMOVE restores pass-through.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class KeepAliveEndToEndTests : SipPathFixture
{
    private const int Threshold = 3;

    protected override SipPathOptions Options => KeepAlivePath.Options;

    [Test]
    public async Task KeepAlives_ServerAnswersUntilItsThreshold_ThenTheRouterAnswersAndRemoveRestoresPassThrough()
    {
        Path.StartSipServer(Threshold);
        await Path.WaitForServerLogAsync("SIP server on udp", TimeSpan.FromSeconds(30));

        // Before installation: the server answers, and its threshold starts the signaling.
        var before = Path.Sipp("keepalive-notify.xml", Threshold);
        AssertAllSucceeded(before, Threshold);
        Assert.That(Path.ServerKeepAlives(), Is.EqualTo(Threshold), "the server answered every keep-alive itself");
        await Path.WaitForServerLogAsync($"SETUP {KeepAlivePath.Module} toward {SipPath.UaAddress}: 200 from 1 NetServ node(s)", TimeSpan.FromSeconds(30));
        Assert.That(await Path.ModulesAsync(), Is.EqualTo(new[] { KeepAlivePath.Module }));

        // Installed: the router answers on the server's behalf, valid SIP that sipp accepts; the server sees none.
        var after = Path.Sipp("keepalive-notify.xml", 10);
        AssertAllSucceeded(after, 10);
        var status = await Path.ModuleStatusAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Path.ServerKeepAlives(), Is.EqualTo(Threshold), "no keep-alive reached the server once the module was installed");
            Assert.That(status["matched"]!.GetValue<long>(), Is.EqualTo(10));
            Assert.That(status["replied"]!.GetValue<long>(), Is.EqualTo(10));
        }

        // The CRLF keep-alive of RFC 5626 is answered by the router too, from the server's address.
        using (var ua = UdpReceiver.Start(Path.Ua, new IPEndPoint(SipPath.UaAddress, SipPath.UaPort + 1)))
        {
            ua.Send(SipPath.ServerEndPoint, ["\r\n\r\n"u8.ToArray()], packetsPerSecond: 10);
            Assert.That(ua.WaitFor(1, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5)), Is.EqualTo(1));
            Assert.That(Encoding.ASCII.GetString(ua.Payloads[0]), Is.EqualTo("\r\n"));
            Assert.That(ua.Senders[0], Is.EqualTo(SipPath.ServerEndPoint));
        }

        Assert.That(Path.ServerLines("keep-alive CrlfPing"), Is.Zero);

        // Other requests still reach the server, which answers them.
        var others = Path.Sipp("options-message.xml", 2);
        AssertAllSucceeded(others, 2);
        using (Assert.EnterMultipleScope())
        {
            // sipp has its answers before the server's log lines for them are read: wait for them.
            Assert.That(() => Path.ServerLines($"Request OPTIONS from {SipPath.UaAddress}:{SipPath.UaPort}"), Is.EqualTo(2).After(5_000, 100));
            Assert.That(() => Path.ServerLines($"Request MESSAGE from {SipPath.UaAddress}:{SipPath.UaPort}"), Is.EqualTo(2).After(5_000, 100));
            Assert.That((await Path.ModuleStatusAsync())["passed"]!.GetValue<long>(), Is.EqualTo(4));
        }

        // REMOVE, signed by the ITSP like the SETUP: pass-through again, the server answers.
        var remove = Path.Cli("remove", KeepAlivePath.Module, "--dest", SipPath.UaAddress.ToString(), "--user", SipPath.User, "--key", Path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
        Assert.That(await Path.ModulesAsync(), Is.Empty);
        var removed = Path.Sipp("keepalive-notify.xml", Threshold);
        AssertAllSucceeded(removed, Threshold);
        Assert.That(() => Path.ServerKeepAlives(), Is.EqualTo(2 * Threshold).After(5_000, 100));
    }

    [Test]
    public async Task KeepAlives_WithSwappingDisabled_MatchedAndBuiltOnTheRouterButAnsweredByTheServer()
    {
        Path.StartSipServer(Threshold, properties: "swap-addresses=false");
        await Path.WaitForServerLogAsync("SIP server on udp", TimeSpan.FromSeconds(30));
        AssertAllSucceeded(Path.Sipp("keepalive-notify.xml", Threshold), Threshold);
        await Path.WaitForServerLogAsync($"SETUP {KeepAlivePath.Module} toward {SipPath.UaAddress}: 200 from 1 NetServ node(s)", TimeSpan.FromSeconds(30));

        var result = Path.Sipp("keepalive-notify.xml", 10);

        AssertAllSucceeded(result, 10);
        var status = await Path.ModuleStatusAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Path.ServerKeepAlives(), Is.EqualTo(Threshold + 10), "configuration 6: every keep-alive goes on to the server");
            Assert.That(status["swapAddresses"]!.GetValue<bool>(), Is.False);
            Assert.That(status["matched"]!.GetValue<long>(), Is.EqualTo(10));
            Assert.That(status["built"]!.GetValue<long>(), Is.EqualTo(10));
            Assert.That(status["replied"]!.GetValue<long>(), Is.Zero);
        }
    }

    private static void AssertAllSucceeded(SippResult result, int calls)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Successful, Is.EqualTo(calls), result.ToString());
            Assert.That(result.Failed, Is.Zero, result.ToString());
        }
    }
}
