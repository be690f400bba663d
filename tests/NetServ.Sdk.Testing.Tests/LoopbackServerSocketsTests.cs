using System.Net;
using System.Net.Sockets;

namespace NetServ.Sdk.Testing.Tests;

[TestFixture]
public sealed class LoopbackServerSocketsTests
{
    [Test]
    public void BindUdp_PortPolicyDoesNotAllow_ThrowsModulePolicyException()
    {
        var sockets = new LoopbackServerSockets(new HashSet<int> { 5060 });

        var e = Assert.Throws<ModulePolicyException>(() => sockets.BindUdp(5061));

        Assert.That(e!.Message, Does.Contain("5061"));
    }

    [Test]
    public void ListenTcp_PortPolicyDoesNotAllow_ThrowsModulePolicyException()
    {
        var sockets = new LoopbackServerSockets(new HashSet<int> { 8080 });

        Assert.Throws<ModulePolicyException>(() => sockets.ListenTcp(8081));
    }

    [Test]
    public void BindUdp_AllowedPort_IsBoundOnLoopback()
    {
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);

        using var socket = new LoopbackServerSockets(new HashSet<int> { port }).BindUdp(port);

        Assert.That(socket.LocalEndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, port)));
    }

    [Test]
    public void ListenTcp_AllowedPort_AcceptsConnectionsOnLoopback()
    {
        var port = FreePort(SocketType.Stream, ProtocolType.Tcp);
        using var listener = new LoopbackServerSockets(new HashSet<int> { port }).ListenTcp(port);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        client.Connect(IPAddress.Loopback, port);
        using var accepted = listener.Accept();

        Assert.That(accepted.RemoteEndPoint, Is.EqualTo(client.LocalEndPoint));
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, type, protocol);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
