using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using NetServ.TestSupport.Sip;

namespace NetServ.Apps.MediaRelay.Tests.EndToEnd;

/// <summary>
/// The Media Relay on a real path (paper section 6.3, Figure 9): the SIP server's host signals SETUP
/// toward user agent 1, so the router — the NetServ node nearest that agent — installs the module;
/// the server allocates a session on the node the path's answer names, and the two user agents
/// exchange RTP and RTCP through it both ways. Then the session times out, and REMOVE closes every socket.
/// And the same by SIP: both agents register with mediarelay-server, which installs the relay near
/// user agent 1 and proxies the call, allocating the session and pointing both SDP bodies at it;
/// media flows on those ports, and BYE releases the session.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class MediaRelayEndToEndTests
{
    private const string Module = "NetServ.Apps.MediaRelay_1.0.0";
    private const string User = SipPath.User;
    private const int ControlPort = 7070;
    private const int PortMin = 30000;
    private const int PortMax = 30007;
    private const int Packets = 200;
    private const int SessionTimeoutSeconds = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly IPEndPoint SipServer = SipPath.ServerEndPoint;

    // The ITSP may listen on the control port and the media ports, and signal toward user agent 1's network.
    private static readonly SipPathOptions PathOptions = new("mr", "NetServ.Apps.MediaRelay", "applications/MediaRelay/NetServ.Apps.MediaRelay.csproj", "NetServ.Apps.MediaRelay.Server", "mediarelay-server")
    {
        AllowedPorts = [ControlPort, .. Enumerable.Range(PortMin, PortMax - PortMin + 1)],
        AllowedPrefixes = ["198.18.1.0/24"],
    };

    private SipPath _path = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        RequiresRoot.Check("ss");
        _path = await SipPath.StartAsync(PathOptions);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_path is not null)
        {
            await _path.DisposeAsync();
        }
    }

    [Test]
    public async Task Call_ThroughTheRelayNearestUserAgent1_RelaysMediaBothWaysAndCleansUp()
    {
        // SETUP toward user agent 1, as the SIP server does when that agent registers.
        var setup = _path.Cli(
            "setup", "--package", _path.Package, "--url", _path.PackageUrl.ToString(),
            "--dest", SipPath.UaAddress.ToString(), "--user", User, "--key", _path.Key, "--json",
            "--properties", $"control-port={ControlPort},port-min={PortMin},port-max={PortMax},session-timeout={SessionTimeoutSeconds}");
        Assert.That(setup.ExitCode, Is.Zero, setup.StandardError + setup.StandardOutput);

        // The node nearest the user agent is the last on the path from the server.
        var nodes = JsonNode.Parse(setup.StandardOutput)!["nodes"]!.AsArray();
        var relay = IPAddress.Parse(nodes[^1]!["address"]!.GetValue<string>());
        Assert.That(await _path.ModulesAsync(), Does.Contain(Module));

        using var control = _path.Server.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        control.Bind(new IPEndPoint(SipPath.ServerAddress, 0));
        var answer = await ControlAsync(control, relay, "ALLOCATE call-1@198.18.2.2");
        var fields = answer.Trim().Split(' ');
        Assert.That(fields[0], Is.EqualTo("OK"), answer);
        var toA = new IPEndPoint(relay, int.Parse(fields[2], CultureInfo.InvariantCulture));
        var toB = new IPEndPoint(relay, int.Parse(fields[3], CultureInfo.InvariantCulture));

        using var ua1 = _path.Ua.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua1.Bind(new IPEndPoint(SipPath.UaAddress, 40000));
        using var ua2 = _path.Server.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua2.Bind(new IPEndPoint(SipPath.ServerAddress, 50000));
        using var ua1Rtcp = _path.Ua.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua1Rtcp.Bind(new IPEndPoint(SipPath.UaAddress, 40001));
        using var ua2Rtcp = _path.Server.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua2Rtcp.Bind(new IPEndPoint(SipPath.ServerAddress, 50001));

        // Latching: user agent 1 speaks first (dropped, the far side is unknown), then user agent 2 (relayed to 1).
        ua1.SendTo(Rtp(0, "latch 1"), toA);
        await Task.Delay(200);
        ua2.SendTo(Rtp(0, "latch 2"), toB);
        Assert.That(Receive(ua1, 1), Is.EqualTo(new[] { "latch 2" }));

        for (var i = 1; i <= Packets; i++)
        {
            ua1.SendTo(Rtp((ushort)i, $"ua1 says {i}"), toA);
            ua2.SendTo(Rtp((ushort)i, $"ua2 says {i}"), toB);
            if (i % 20 == 0)
            {
                await Task.Delay(10);
            }
        }

        var atUa2 = Receive(ua2, Packets);
        var atUa1 = Receive(ua1, Packets);

        // RTCP latches and flows on the next ports.
        ua1Rtcp.SendTo(RtpPackets.RtcpReceiverReport(1), new IPEndPoint(relay, toA.Port + 1));
        await Task.Delay(200);
        ua2Rtcp.SendTo(RtpPackets.RtcpReceiverReport(2), new IPEndPoint(relay, toB.Port + 1));
        var rtcpAtUa1 = new byte[64];
        ua1Rtcp.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        var rtcpLength = ua1Rtcp.Receive(rtcpAtUa1);

        var status = await _path.ModuleStatusAsync();
        var session = status["sessions"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(atUa2, Is.EqualTo(Enumerable.Range(1, Packets).Select(i => $"ua1 says {i}")), "user agent 1 → 2, in order and intact");
            Assert.That(atUa1, Is.EqualTo(Enumerable.Range(1, Packets).Select(i => $"ua2 says {i}")), "user agent 2 → 1, in order and intact");
            Assert.That(rtcpAtUa1.AsSpan(0, rtcpLength).ToArray(), Is.EqualTo(RtpPackets.RtcpReceiverReport(2)));
            Assert.That((string?)session["peerA"], Is.EqualTo("198.18.1.1:40000"), "latched user agent 1");
            Assert.That((string?)session["peerB"], Is.EqualTo("198.18.2.2:50000"), "latched user agent 2");
            Assert.That((long)status["packetsAToB"]!, Is.EqualTo(Packets));
            Assert.That((long)status["packetsBToA"]!, Is.EqualTo(Packets + 2), "latch 2, the RTP stream and one RTCP report");
        });

        // Silence: the session times out and its ports are released.
        var sessionPorts = new[] { toA.Port, toA.Port + 1, toB.Port, toB.Port + 1 };
        Assert.That(BoundUdpPorts(), Is.SupersetOf(sessionPorts));
        await WaitUntilAsync(async () => (int)(await _path.ModuleStatusAsync())["sessionsActive"]! == 0, TimeSpan.FromSeconds(SessionTimeoutSeconds + 10));
        Assert.Multiple(async () =>
        {
            Assert.That((long)(await _path.ModuleStatusAsync())["sessionsClosed"]!, Is.EqualTo(1));
            Assert.That(BoundUdpPorts(), Has.None.AnyOf(sessionPorts));
        });

        // Malformed control requests and media are answered or dropped, never crash the container.
        Assert.That(await ControlAsync(control, relay, "ALLOCATE"), Does.StartWith("ERR"));
        var again = (await ControlAsync(control, relay, "ALLOCATE call-2")).Trim().Split(' ');
        ua1.SendTo(new byte[] { 0xff, 0x00, 0x01 }, new IPEndPoint(relay, int.Parse(again[2], CultureInfo.InvariantCulture)));
        Assert.That(await ControlAsync(control, relay, "RELEASE call-2"), Is.EqualTo("OK call-2\n"));

        // REMOVE closes the control socket and every media socket.
        Assert.That(BoundUdpPorts(), Does.Contain(ControlPort));
        var remove = _path.Cli("remove", Module, "--dest", SipPath.UaAddress.ToString(), "--user", User, "--key", _path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
        Assert.That(await _path.ModulesAsync(), Is.Empty);
        await WaitUntilAsync(() => Task.FromResult(!BoundUdpPorts().Contains(ControlPort)), Wait);
        Assert.That(BoundUdpPorts(), Has.None.InRange(PortMin, PortMax).And.None.EqualTo(ControlPort));
    }

    [Test]
    public async Task Register_FromUserAgent1_InstallsTheRelayOnTheNodeNearestIt()
    {
        await StartSipServerAsync();
        using var ua1 = _path.Ua.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua1.Bind(new IPEndPoint(SipPath.UaAddress, 5060));
        ua1.SendTo(SipCallMessages.Register("ua1", "198.18.1.1:5060"), SipServer);
        Assert.That(ReceiveSip(ua1), Does.StartWith("SIP/2.0 200 OK"));

        var relay = await RelayChosenAsync("sip:ua1@itsp");
        Assert.That(await _path.ModulesAsync(), Does.Contain(Module));

        using var control = _path.Server.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        control.Bind(new IPEndPoint(SipPath.ServerAddress, 0));
        Assert.That(await ControlAsync(control, relay, "ALLOCATE reg-call"), Does.StartWith("OK reg-call "));
        Assert.That(await ControlAsync(control, relay, "RELEASE reg-call"), Is.EqualTo("OK reg-call\n"));

        var remove = _path.Cli("remove", Module, "--dest", SipPath.UaAddress.ToString(), "--user", User, "--key", _path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
    }

    [Test]
    public async Task Register_ByASippAgentWithAnotherSentBy_IsAnsweredWithReceivedRportAndATagWhereTheRfcsSay()
    {
        RequiresRoot.Check("sipp");

        await StartSipServerAsync();
        var sipp = _path.Sipp("register-via.xml", 3, callsPerSecond: 10, localPort: 5062);
        Assert.That(sipp.ExitCode, Is.Zero, "every call's two 200 OKs arrived and matched: " + sipp.Output);

        // The REGISTERs installed the relay toward the agent, as any REGISTER does: take it away for the next test.
        await RelayChosenAsync("sip:sippua@itsp");
        var remove = _path.Cli("remove", Module, "--dest", SipPath.UaAddress.ToString(), "--user", User, "--key", _path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
    }

    [Test]
    public async Task SipCall_ThroughTheServer_RelaysMediaOnTheRewrittenPortsAndByeReleasesTheSession()
    {
        await StartSipServerAsync();
        using var ua1Sip = _path.Ua.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua1Sip.Bind(new IPEndPoint(SipPath.UaAddress, 5060));
        using var ua2Sip = _path.Server.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua2Sip.Bind(new IPEndPoint(SipPath.ServerAddress, 5070));

        // Both agents register; the relay is installed on the node nearest user agent 1.
        ua1Sip.SendTo(SipCallMessages.Register("ua1", "198.18.1.1:5060"), SipServer);
        Assert.That(ReceiveSip(ua1Sip), Does.StartWith("SIP/2.0 200 OK"));
        ua2Sip.SendTo(SipCallMessages.Register("ua2", "198.18.2.2:5070"), SipServer);
        Assert.That(ReceiveSip(ua2Sip), Does.StartWith("SIP/2.0 200 OK"));
        var relay = await RelayChosenAsync("sip:ua1@itsp");

        // User agent 1 offers its own address; user agent 2 is offered the relay, and its answer reaches 1 pointed at the relay too.
        ua1Sip.SendTo(SipCallMessages.Invite(SipCallMessages.Sdp("198.18.1.1", 40000)), SipServer);
        Assert.That(ReceiveSip(ua1Sip), Does.StartWith("SIP/2.0 100 Trying"));
        var invite = ReceiveSipBytes(ua2Sip);
        var offer = SipCallMessages.Body(SipCallMessages.Text(invite));
        var toB = new IPEndPoint(IPAddress.Parse(SipCallMessages.ConnectionAddress(offer)), SipCallMessages.AudioPort(offer));
        ua2Sip.SendTo(SipCallMessages.ResponseTo(invite, "180 Ringing"), SipServer);
        Assert.That(ReceiveSip(ua1Sip), Does.StartWith("SIP/2.0 180 Ringing"));
        ua2Sip.SendTo(SipCallMessages.ResponseTo(invite, "200 OK", SipCallMessages.Sdp("198.18.2.2", 50000)), SipServer);
        var ok = ReceiveSip(ua1Sip);
        var answer = SipCallMessages.Body(ok);
        var toA = new IPEndPoint(IPAddress.Parse(SipCallMessages.ConnectionAddress(answer)), SipCallMessages.AudioPort(answer));
        Assert.Multiple(() =>
        {
            Assert.That(ok, Does.StartWith("SIP/2.0 200 OK"));
            Assert.That(toB.Address, Is.EqualTo(relay), "the offer names the relay");
            Assert.That(toA.Address, Is.EqualTo(relay), "the answer names the relay");
            Assert.That(toA.Port, Is.Not.EqualTo(toB.Port));
        });

        ua1Sip.SendTo(SipCallMessages.InDialog("ACK", fromCaller: true, 1), SipServer);
        Assert.That(ReceiveSip(ua2Sip), Does.StartWith("ACK "));

        // Media on the ports the SDP named: user agent 1 speaks first (dropped while 2 is unknown), then both ways.
        using var ua1 = _path.Ua.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua1.Bind(new IPEndPoint(SipPath.UaAddress, 40000));
        using var ua2 = _path.Server.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        ua2.Bind(new IPEndPoint(SipPath.ServerAddress, 50000));
        ua1.SendTo(Rtp(0, "latch 1"), toA);
        await Task.Delay(200);
        ua2.SendTo(Rtp(0, "latch 2"), toB);
        Assert.That(Receive(ua1, 1), Is.EqualTo(new[] { "latch 2" }));
        const int CallPackets = 50;
        for (var i = 1; i <= CallPackets; i++)
        {
            ua1.SendTo(Rtp((ushort)i, $"ua1 says {i}"), toA);
            ua2.SendTo(Rtp((ushort)i, $"ua2 says {i}"), toB);
        }

        var atUa2 = Receive(ua2, CallPackets);
        var atUa1 = Receive(ua1, CallPackets);
        Assert.Multiple(() =>
        {
            Assert.That(atUa2, Is.EqualTo(Enumerable.Range(1, CallPackets).Select(i => $"ua1 says {i}")));
            Assert.That(atUa1, Is.EqualTo(Enumerable.Range(1, CallPackets).Select(i => $"ua2 says {i}")));
        });

        // BYE goes through the server, which releases the session at once (not on the media timeout).
        ua1Sip.SendTo(SipCallMessages.InDialog("BYE", fromCaller: true, 2), SipServer);
        var bye = ReceiveSipBytes(ua2Sip);
        Assert.That(SipCallMessages.Text(bye), Does.StartWith("BYE "));
        ua2Sip.SendTo(SipCallMessages.ResponseTo(bye, "200 OK"), SipServer);
        Assert.That(ReceiveSip(ua1Sip), Does.StartWith("SIP/2.0 200 OK"));
        await _path.WaitForServerLogAsync($"call {SipCallMessages.CallId} ended (BYE); relay session released: True", Wait);
        int[] sessionPorts = [toA.Port, toA.Port + 1, toB.Port, toB.Port + 1];
        await WaitUntilAsync(() => Task.FromResult(!BoundUdpPorts().Overlaps(sessionPorts)), Wait);
        var status = await _path.ModuleStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That((int)status["sessionsActive"]!, Is.Zero);
            Assert.That((long)status["sessionsClosed"]!, Is.EqualTo(1));
            Assert.That(BoundUdpPorts().Overlaps(sessionPorts), Is.False, "the session's ports are unbound");
        });

        var remove = _path.Cli("remove", Module, "--dest", SipPath.UaAddress.ToString(), "--user", User, "--key", _path.Key);
        Assert.That(remove.ExitCode, Is.Zero, remove.StandardError + remove.StandardOutput);
    }

    /// <summary>The UDP ports bound in the router's namespace (ss), to see that the relay released them.</summary>
    private HashSet<int> BoundUdpPorts()
    {
        var ports = new HashSet<int>();
        foreach (var line in _path.RouterNamespace.ExecChecked("ss", "-Hnua").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // State, Recv-Q, Send-Q, local address:port, peer.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = fields.Length > 3 ? fields[3] : string.Empty;
            if (int.TryParse(local.AsSpan(local.LastIndexOf(':') + 1), CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    /// <summary>Starts mediarelay-server on the server's host, handing the module this fixture's ports.</summary>
    private async Task StartSipServerAsync()
    {
        _path.StartSipServer(
        [
            "--listen", SipPath.ServerAddress.ToString(), "--port", SipServer.Port.ToString(CultureInfo.InvariantCulture),
            "--package", _path.Package, "--url", _path.PackageUrl.ToString(),
            "--user", User, "--key", _path.Key, "--properties", $"control-port={ControlPort},port-min={PortMin},port-max={PortMax}",
        ]);
        await _path.WaitForServerLogAsync("SIP registrar and call proxy on udp", TimeSpan.FromSeconds(30));
    }

    /// <summary>The relay the server logs for <paramref name="aor"/> once SETUP toward it has been answered.</summary>
    private async Task<IPAddress> RelayChosenAsync(string aor)
    {
        var chosen = await _path.WaitForServerLogAsync($"relay for {aor}: node", TimeSpan.FromSeconds(60));
        return IPAddress.Parse(chosen[(chosen.LastIndexOf(" at ", StringComparison.Ordinal) + 4)..].Trim());
    }

    private static byte[] ReceiveSipBytes(Socket socket)
    {
        var buffer = new byte[8192];
        socket.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        return buffer[..socket.Receive(buffer)];
    }

    private static string ReceiveSip(Socket socket) => SipCallMessages.Text(ReceiveSipBytes(socket));

    private static byte[] Rtp(ushort sequence, string payload) => RtpPackets.Rtp(sequence, Encoding.ASCII.GetBytes(payload));

    private static List<string> Receive(Socket socket, int count) => RtpPackets.ReceivePayloads(socket, count, Wait);

    private static async Task<string> ControlAsync(Socket socket, IPAddress relay, string request)
    {
        await socket.SendToAsync(Encoding.ASCII.GetBytes(request), new IPEndPoint(relay, ControlPort));
        var buffer = new byte[512];
        using var timeout = new CancellationTokenSource(Wait);
        var length = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }
}
