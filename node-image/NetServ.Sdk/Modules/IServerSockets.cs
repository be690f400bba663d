using System.Net.Sockets;

namespace NetServ.Sdk;

/// <summary>
/// Opens the sockets a server module listens on. Only the ports the node's policy gives the
/// user (<see cref="IModuleContext.AllowedPorts"/>) can be opened; the container's sandbox also
/// refuses other ports to sockets opened directly.
/// </summary>
public interface IServerSockets
{
    /// <summary>Opens a TCP socket listening on <paramref name="port"/> on every address of the node.</summary>
    /// <exception cref="ModulePolicyException">The port is not allowed for this user.</exception>
    Socket ListenTcp(int port, int backlog = 128);

    /// <summary>Opens a UDP socket bound to <paramref name="port"/> on every address of the node.</summary>
    /// <exception cref="ModulePolicyException">The port is not allowed for this user.</exception>
    Socket BindUdp(int port);
}
