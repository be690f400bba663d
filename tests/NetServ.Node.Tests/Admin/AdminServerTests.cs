using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetServ.Node.Admin;
using NetServ.Node.Tests.Control;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Admin;

/// <summary>
/// The admin socket as <c>netserv admin</c> uses it: NSLP requests in the Figure 4 format over a Unix
/// socket, answered by the controller (over fakes: no root, no containers). What it must do with bytes
/// that are split, pipelined or malformed, and that one bad client does not stop it serving the next.
/// </summary>
[TestFixture]
public sealed class AdminServerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("ns-admin-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Start_MakesASocketOnlyItsOwnerCanOpen_AndStopRemovesIt()
    {
        await using var rig = await ControlRig.StartAsync(s => s.AdminSocket = Path.Combine(_directory, "run", "netservd.sock"));
        var socketPath = rig.Settings.AdminSocket;

        using (var server = await StartAsync(rig))
        {
            Assert.That(File.GetUnixFileMode(socketPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            await server.StopAsync(CancellationToken.None);
        }

        Assert.That(File.Exists(socketPath), Is.False);
    }

    [Test]
    public async Task Setup_OverTheSocket_InstallsTheModuleAndAnswersOk()
    {
        await using var rig = await ControlRig.StartAsync(s => s.AdminSocket = Path.Combine(_directory, "netservd.sock"));
        using var server = await StartAsync(rig);
        using var client = await ConnectAsync(rig);

        var setup = new ModuleSetup(ControlRig.NetMonitor, "alice", new Uri($"http://198.18.0.10/modules/{ControlRig.NetMonitor}.nupkg"), new string('a', 64)) { TtlSeconds = 600 };
        await client.SendAsync(NslpCodec.Encode(setup.ToRequest()));
        var response = await ReadResponseAsync(client);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok), response.Headers[NslpHeaderNames.Error]);
            Assert.That(response.Headers[NslpHeaderNames.Node], Is.EqualTo("node-a"));
            Assert.That(rig.Table.Find("alice", ControlRig.NetMonitor)?.Origin, Is.EqualTo("admin"), "an admin request installs on the admin's behalf");
        }
    }

    [Test]
    public async Task TwoRequestsInOneWrite_AreAnsweredInOrder()
    {
        await using var rig = await ControlRig.StartAsync(s => s.AdminSocket = Path.Combine(_directory, "netservd.sock"));
        using var server = await StartAsync(rig);
        using var client = await ConnectAsync(rig);

        var bytes = NslpCodec.Encode(NslpRequests.Probe(ProbeKind.Capabilities)).Concat(NslpCodec.Encode(NslpRequests.ProbeModule(ControlRig.KeepAlive))).ToArray();
        await client.SendAsync(bytes);
        var buffer = new List<byte>();
        var first = await ReadResponseAsync(client, buffer);
        var second = await ReadResponseAsync(client, buffer);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.StatusCode, Is.EqualTo(NslpStatus.Ok));
            Assert.That(Encoding.UTF8.GetString(first.Body.Span), Does.Contain("forwardingPlane"), "the capabilities report comes first");
            Assert.That(second.StatusCode, Is.EqualTo(NslpStatus.NotFound), "the module PROBE comes second and finds nothing installed");
        }
    }

    [Test]
    public async Task ARequestSplitAcrossWrites_IsAnsweredOnceWhole()
    {
        await using var rig = await ControlRig.StartAsync(s => s.AdminSocket = Path.Combine(_directory, "netservd.sock"));
        using var server = await StartAsync(rig);
        using var client = await ConnectAsync(rig);
        var bytes = NslpCodec.Encode(NslpRequests.Probe(ProbeKind.Status));

        await client.SendAsync(bytes.AsMemory(0, 5));
        await Task.Delay(50);
        Assert.That(client.Available, Is.Zero, "half a request gets no answer");
        await client.SendAsync(bytes.AsMemory(5));
        var response = await ReadResponseAsync(client);

        Assert.That(response.StatusCode, Is.EqualTo(NslpStatus.Ok));
    }

    [Test]
    public async Task MalformedBytes_GetBadRequestAndTheConnectionClosed_AndTheNextClientIsServed()
    {
        await using var rig = await ControlRig.StartAsync(s => s.AdminSocket = Path.Combine(_directory, "netservd.sock"));
        using var server = await StartAsync(rig);

        using (var bad = await ConnectAsync(rig))
        {
            await bad.SendAsync("HELLO there\r\n\r\n"u8.ToArray());
            var buffer = new List<byte>();
            var refused = await ReadResponseAsync(bad, buffer);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(refused.StatusCode, Is.EqualTo(NslpStatus.BadRequest));
                Assert.That(refused.Headers[NslpHeaderNames.Error], Is.Not.Empty);
                Assert.That(await ReceiveAsync(bad, new byte[16]), Is.Zero, "the server closed a connection it can no longer frame");
            }
        }

        using var good = await ConnectAsync(rig);
        await good.SendAsync(NslpCodec.Encode(NslpRequests.Probe(ProbeKind.Status)));
        Assert.That((await ReadResponseAsync(good)).StatusCode, Is.EqualTo(NslpStatus.Ok));
    }

    [Test]
    public async Task AResponseInsteadOfARequest_GetsBadRequest_AndTheConnectionStaysOpen()
    {
        await using var rig = await ControlRig.StartAsync(s => s.AdminSocket = Path.Combine(_directory, "netservd.sock"));
        using var server = await StartAsync(rig);
        using var client = await ConnectAsync(rig);

        await client.SendAsync(NslpCodec.Encode(new NslpResponse(NslpStatus.Ok)));
        var buffer = new List<byte>();
        var refused = await ReadResponseAsync(client, buffer);
        await client.SendAsync(NslpCodec.Encode(NslpRequests.Probe(ProbeKind.Status)));
        var answered = await ReadResponseAsync(client, buffer);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.StatusCode, Is.EqualTo(NslpStatus.BadRequest));
            Assert.That(refused.Headers[NslpHeaderNames.Error], Does.Contain("expected a request"));
            Assert.That(answered.StatusCode, Is.EqualTo(NslpStatus.Ok));
        }
    }

    private static async Task<AdminServer> StartAsync(ControlRig rig)
    {
        var server = new AdminServer(rig.Controller, Options.Create(rig.Settings), NullLogger<AdminServer>.Instance);
        await server.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + Patience;
        while (!File.Exists(rig.Settings.AdminSocket))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the admin socket did not appear");
            await Task.Delay(10);
        }

        return server;
    }

    private static async Task<Socket> ConnectAsync(ControlRig rig)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(rig.Settings.AdminSocket));
        return socket;
    }

    private static async Task<int> ReceiveAsync(Socket socket, byte[] chunk)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
    }

    /// <summary>Reads until one whole response is in <paramref name="buffer"/>, takes it out and returns it; what follows stays for the next call.</summary>
    private static async Task<NslpResponse> ReadResponseAsync(Socket socket, List<byte>? buffer = null)
    {
        buffer ??= [];
        var chunk = new byte[4096];
        while (true)
        {
            var status = NslpCodec.TryParse(buffer.ToArray(), out var consumed, out var message, out var error);
            if (status == NslpParseStatus.Complete)
            {
                buffer.RemoveRange(0, consumed);
                return message as NslpResponse ?? throw new AssertionException($"the server sent a request: {message}");
            }

            Assert.That(status, Is.Not.EqualTo(NslpParseStatus.Invalid), $"the server sent bytes that are no NSLP message: {error}");
            var read = await ReceiveAsync(socket, chunk);
            Assert.That(read, Is.Positive, "the server closed the connection before answering");
            buffer.AddRange(chunk.AsSpan(0, read));
        }
    }
}
