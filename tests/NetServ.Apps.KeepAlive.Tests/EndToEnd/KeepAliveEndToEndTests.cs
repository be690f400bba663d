using System.Net;
using System.Text;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Traffic;

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
public sealed class KeepAliveEndToEndTests
{
    private const int Threshold = 3;
    private KeepAlivePath _path = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (Prerequisites.Missing("ip", "iptables", "nsenter") is { } reason)
        {
            Assert.Ignore(reason);
        }

        if (CommandRunner.FindOnPath("sipp") is null)
        {
            Assert.Ignore("needs sipp (Debian package sip-tester; ./lab build installs it)");
        }

        _path = await KeepAlivePath.StartAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is not null)
        {
            await _path.DisposeAsync();
        }
    }

    [TearDown]
    public async Task RemoveLeftoversAsync()
    {
        _path.StopSipServer();
        await _path.Router.RemoveAsync(KeepAlivePath.Module, KeepAlivePath.User);
    }

    [Test]
    public async Task KeepAlives_ServerAnswersUntilItsThreshold_ThenTheRouterAnswersAndRemoveRestoresPassThrough()
    {
        _path.StartSipServer(Threshold);
        await _path.WaitForServerLogAsync("SIP server on udp", TimeSpan.FromSeconds(30));

        // Before installation: the server answers, and its threshold starts the signaling.
        var before = KeepAlivePath.Sipp(_path.Ua, "keepalive-notify.xml", Threshold);
        AssertAllSucceeded(before, Threshold);
        Assert.That(_path.ServerKeepAlives, Is.EqualTo(Threshold), "the server answered every keep-alive itself");
        await _path.WaitForServerLogAsync($"SETUP {KeepAlivePath.Module} toward {KeepAlivePath.UaAddress}: 200 from 1 NetServ node(s)", TimeSpan.FromSeconds(30));
        Assert.That(await _path.ModulesAsync(), Is.EqualTo(new[] { KeepAlivePath.Module }));

        // Installed: the router answers on the server's behalf, valid SIP that sipp accepts; the server sees none.
        var after = KeepAlivePath.Sipp(_path.Ua, "keepalive-notify.xml", 10);
        AssertAllSucceeded(after, 10);
        var status = await _path.ModuleStatusAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_path.ServerKeepAlives, Is.EqualTo(Threshold), "no keep-alive reached the server once the module was installed");
            Assert.That(status["matched"]!.GetValue<long>(), Is.EqualTo(10));
            Assert.That(status["replied"]!.GetValue<long>(), Is.EqualTo(10));
        }

        // The CRLF keep-alive of RFC 5626 is answered by the router too, from the server's address.
        using (var ua = UdpReceiver.Start(_path.Ua, new IPEndPoint(KeepAlivePath.UaAddress, KeepAlivePath.UaPort + 1)))
        {
            ua.Send(KeepAlivePath.ServerEndPoint, ["\r\n\r\n"u8.ToArray()], packetsPerSecond: 10);
            Assert.That(ua.WaitFor(1, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5)), Is.EqualTo(1));
            Assert.That(Encoding.ASCII.GetString(ua.Payloads[0]), Is.EqualTo("\r\n"));
            Assert.That(ua.Senders[0], Is.EqualTo(KeepAlivePath.ServerEndPoint));
        }

        Assert.That(_path.ServerLines("keep-alive CrlfPing"), Is.Zero);

        // Other requests still reach the server, which answers them.
        var others = KeepAlivePath.Sipp(_path.Ua, "options-message.xml", 2);
        AssertAllSucceeded(others, 2);

        // sipp has its answers before the server's log lines for them are read.
        await _path.WaitForServerLogAsync($"Request MESSAGE from {KeepAlivePath.UaAddress}:{KeepAlivePath.UaPort}", TimeSpan.FromSeconds(5), occurrences: 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_path.ServerLines($"Request OPTIONS from {KeepAlivePath.UaAddress}:{KeepAlivePath.UaPort}"), Is.EqualTo(2));
            Assert.That(_path.ServerLines($"Request MESSAGE from {KeepAlivePath.UaAddress}:{KeepAlivePath.UaPort}"), Is.EqualTo(2));
            Assert.That((await _path.ModuleStatusAsync())["passed"]!.GetValue<long>(), Is.EqualTo(4));
        }

        // REMOVE, signed by the ITSP like the SETUP: pass-through again, the server answers.
        var remove = _path.Cli("remove", KeepAlivePath.Module, "--dest", KeepAlivePath.UaAddress.ToString(), "--user", KeepAlivePath.User, "--key", _path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
        Assert.That(await _path.ModulesAsync(), Is.Empty);
        var removed = KeepAlivePath.Sipp(_path.Ua, "keepalive-notify.xml", Threshold);
        AssertAllSucceeded(removed, Threshold);
        Assert.That(_path.ServerKeepAlives, Is.EqualTo(2 * Threshold));
    }

    [Test]
    public async Task KeepAlives_WithSwappingDisabled_MatchedAndBuiltOnTheRouterButAnsweredByTheServer()
    {
        _path.StartSipServer(Threshold, properties: "swap-addresses=false");
        await _path.WaitForServerLogAsync("SIP server on udp", TimeSpan.FromSeconds(30));
        AssertAllSucceeded(KeepAlivePath.Sipp(_path.Ua, "keepalive-notify.xml", Threshold), Threshold);
        await _path.WaitForServerLogAsync($"SETUP {KeepAlivePath.Module} toward {KeepAlivePath.UaAddress}: 200 from 1 NetServ node(s)", TimeSpan.FromSeconds(30));

        var result = KeepAlivePath.Sipp(_path.Ua, "keepalive-notify.xml", 10);

        AssertAllSucceeded(result, 10);
        var status = await _path.ModuleStatusAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_path.ServerKeepAlives, Is.EqualTo(Threshold + 10), "configuration 6: every keep-alive goes on to the server");
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
