using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NetServ.Sdk;

namespace NetServ.Container.Modules;

/// <summary>Opens listening sockets for server modules, on the ports the node's policy allows only.</summary>
internal sealed class ServerSockets : IServerSockets
{
    private IReadOnlySet<int> _allowedPorts = new HashSet<int>();

    /// <summary>The user's allowed ports; every install carries the node's current policy.</summary>
    public IReadOnlySet<int> AllowedPorts
    {
        get => Volatile.Read(ref _allowedPorts);
        set => Volatile.Write(ref _allowedPorts, value);
    }

    public Socket ListenTcp(int port, int backlog = 128)
    {
        EnsureAllowed(port, "TCP");
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Socket BindUdp(int port)
    {
        EnsureAllowed(port, "UDP");
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void EnsureAllowed(int port, string protocol)
    {
        var allowedPorts = AllowedPorts;
        if (!allowedPorts.Contains(port))
        {
            var allowed = allowedPorts.Count == 0 ? "none" : string.Join(", ", allowedPorts.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
            throw new ModulePolicyException($"{protocol} port {port} is not allowed for this user (allowed: {allowed})");
        }
    }
}
