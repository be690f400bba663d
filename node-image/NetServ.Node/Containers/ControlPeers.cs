using System.Net.Sockets;
using NetServ.Native;

namespace NetServ.Node.Containers;

/// <summary>Who connected to the control socket, as the kernel says (SO_PEERCRED).</summary>
internal readonly record struct PeerCredentials(int Pid, uint Uid);

/// <summary>
/// The processes on the far end of the control socket: who they are, and the raw socket a recognised
/// container is given. An interface so that the container manager can be tested without root.
/// </summary>
internal interface IControlPeers
{
    PeerCredentials Identify(Socket connection);

    /// <summary>Passes the container a raw socket for sending packets, so that it needs no CAP_NET_RAW itself.</summary>
    void GiveRawSocket(Socket connection);
}

/// <summary>The kernel's answers and a real raw socket.</summary>
internal sealed class ControlPeers : IControlPeers
{
    public PeerCredentials Identify(Socket connection)
    {
        var peer = Interop.GetPeerCredentials(connection.SafeHandle);
        return new PeerCredentials(peer.Pid, peer.Uid);
    }

    public void GiveRawSocket(Socket connection)
    {
        var raw = Interop.OpenRawSendSocket();
        try
        {
            NetServ.Netfilter.Native.Interop.SendDescriptor(connection.SafeHandle, raw, (byte)'R');
        }
        finally
        {
            Interop.Close(raw);
        }
    }
}
