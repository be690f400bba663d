using System.Net;
using System.Net.Sockets;

namespace NetServ.Sdk.Testing;

/// <summary>
/// Server sockets as a container opens them — only on the ports policy allows — but bound to 127.0.0.1, so a
/// test reaches a server module over loopback and nothing leaves the machine.
/// </summary>
/// <example>
/// <code>
/// var context = new TestModuleContext(TestModuleContext.ParseProperties($"port={port}"))
/// {
///     AllowedPorts = allowed,
///     BuildingBlocks = new TestBuildingBlocks(new LoopbackServerSockets(allowed)),
/// };
/// </code>
/// </example>
public sealed class LoopbackServerSockets(IReadOnlySet<int> allowedPorts) : IServerSockets
{
    /// <inheritdoc />
    public Socket ListenTcp(int port, int backlog = 128)
    {
        var socket = Open(port, "TCP", SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Socket BindUdp(int port) => Open(port, "UDP", SocketType.Dgram, ProtocolType.Udp);

    private Socket Open(int port, string transport, SocketType type, ProtocolType protocol)
    {
        if (!allowedPorts.Contains(port))
        {
            throw new ModulePolicyException($"{transport} port {port} is not allowed");
        }

        var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
