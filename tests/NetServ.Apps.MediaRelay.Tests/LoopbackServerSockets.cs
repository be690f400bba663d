using System.Net;
using System.Net.Sockets;
using NetServ.Sdk;

namespace NetServ.Apps.MediaRelay.Tests;

/// <summary>Server sockets as the container opens them — policy ports only — bound to loopback so tests stay on the machine.</summary>
internal sealed class LoopbackServerSockets(IReadOnlySet<int> allowedPorts) : IServerSockets
{
    public Socket ListenTcp(int port, int backlog = 128) => throw new NotSupportedException("the media relay listens on UDP only");

    public Socket BindUdp(int port)
    {
        if (!allowedPorts.Contains(port))
        {
            throw new ModulePolicyException($"UDP port {port} is not allowed");
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
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
