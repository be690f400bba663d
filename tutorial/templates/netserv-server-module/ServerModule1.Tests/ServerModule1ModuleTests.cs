using System.Net;
using System.Net.Sockets;
using System.Text;
using NetServ.Sdk;
using NetServ.Sdk.Testing;

namespace ServerModule1.Tests;

[TestFixture]
public sealed class ServerModule1ModuleTests
{
    private readonly List<IDisposable> _disposables = [];

    [TearDown]
    public void TearDown()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _disposables.Clear();
    }

    [Test]
    public void TryWrite_Request_RepliesWithTheGreetingAndTheRequest()
    {
        var reply = new byte[64];

        var written = Greeting.TryWrite("alice"u8, reply, out var length);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(written, Is.True);
            Assert.That(Encoding.ASCII.GetString(reply, 0, length), Is.EqualTo("hello alice"));
        }
    }

    [Test]
    public void TryWrite_ReplyBufferTooSmall_ReturnsFalse()
    {
        Assert.That(Greeting.TryWrite("alice"u8, new byte[8], out _), Is.False);
    }

    [Test]
    public void StartAsync_NoPortProperty_ThrowsArgumentException()
    {
        var module = Track(new ServerModule1Module());

        Assert.ThrowsAsync<ArgumentException>(() => module.StartAsync(Track(new TestModuleContext()), CancellationToken.None));
    }

    [Test]
    public void StartAsync_PortPolicyDoesNotAllow_ThrowsModulePolicyException()
    {
        var module = Track(new ServerModule1Module());
        var context = Context(port: 7001, allowed: 7000);

        Assert.ThrowsAsync<ModulePolicyException>(() => module.StartAsync(context, CancellationToken.None));
    }

    [Test]
    public async Task Request_ToTheModulesPort_IsAnsweredAndCounted()
    {
        var port = FreeUdpPort();
        var module = Track(new ServerModule1Module());
        await module.StartAsync(Context(port, allowed: port), CancellationToken.None);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };

        client.SendTo("alice"u8.ToArray(), new IPEndPoint(IPAddress.Loopback, port));
        var reply = new byte[64];
        var length = client.Receive(reply);
        await module.StopAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Encoding.ASCII.GetString(reply, 0, length), Is.EqualTo("hello alice"));
            Assert.That(module.GetStatus()["requests"]!.GetValue<long>(), Is.EqualTo(1));
        }
    }

    // What the node gives the module: the SETUP's properties, the user's allowed ports, and server sockets on loopback.
    private TestModuleContext Context(int port, int allowed)
    {
        var ports = new HashSet<int> { allowed };
        return Track(new TestModuleContext(TestModuleContext.ParseProperties($"port={port}"))
        {
            ModuleName = "ServerModule1_1.0.0",
            AllowedPorts = ports,
            BuildingBlocks = new TestBuildingBlocks(new LoopbackServerSockets(ports)),
        });
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
