using System.Net;
using System.Net.Sockets;
using NetServ.Container.Modules;
using NetServ.Sdk;

namespace NetServ.Container.Tests.Modules;

[TestFixture]
public sealed class ServerSocketsTests
{
    [Test]
    public void ListenTcp_PortNotAllowed_RefusesNamingTheAllowedPorts()
    {
        var sockets = new ServerSockets { AllowedPorts = new HashSet<int> { 8080, 443 } };

        var e = Assert.Throws<ModulePolicyException>(() => sockets.ListenTcp(80));

        Assert.That(e!.Message, Is.EqualTo("TCP port 80 is not allowed for this user (allowed: 443, 8080)"));
    }

    [Test]
    public void BindUdp_NoPortsAllowed_RefusesSayingNone()
    {
        var sockets = new ServerSockets();

        var e = Assert.Throws<ModulePolicyException>(() => sockets.BindUdp(5060));

        Assert.That(e!.Message, Is.EqualTo("UDP port 5060 is not allowed for this user (allowed: none)"));
    }

    [Test]
    public void ListenTcp_AllowedPort_ListensThere()
    {
        var port = FreePort(SocketType.Stream, ProtocolType.Tcp);
        var sockets = new ServerSockets { AllowedPorts = new HashSet<int> { port } };

        using var listener = sockets.ListenTcp(port);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, port);
        using var accepted = listener.Accept();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(((IPEndPoint)listener.LocalEndPoint!).Port, Is.EqualTo(port));
            Assert.That(accepted.Connected, Is.True);
        }
    }

    [Test]
    public void BindUdp_AllowedPort_ReceivesThere()
    {
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var sockets = new ServerSockets { AllowedPorts = new HashSet<int> { port } };

        using var server = sockets.BindUdp(port);
        server.ReceiveTimeout = 2000;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.SendTo("hello"u8, new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[16];
        var received = server.Receive(buffer);

        Assert.That(buffer[..received], Is.EqualTo("hello"u8.ToArray()));
    }

    [Test]
    public void AllowedPorts_ChangedByANewPolicy_AppliesToTheNextRequest()
    {
        var port = FreePort(SocketType.Dgram, ProtocolType.Udp);
        var sockets = new ServerSockets { AllowedPorts = new HashSet<int> { port } };
        sockets.BindUdp(port).Dispose();

        sockets.AllowedPorts = new HashSet<int>();

        Assert.Throws<ModulePolicyException>(() => sockets.BindUdp(port));
    }

    [Test]
    public void BindUdp_AllowedPortInUse_ThrowsTheSocketError()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Any, 0));
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;
        var sockets = new ServerSockets { AllowedPorts = new HashSet<int> { port } };

        var e = Assert.Throws<SocketException>(() => sockets.BindUdp(port));

        Assert.That(e!.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
    }

    /// <summary>A port the kernel just handed out and took back: free for the test to use.</summary>
    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, type, protocol);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
