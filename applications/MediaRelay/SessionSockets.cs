using System.Net.Sockets;
using NetServ.Sdk;

namespace NetServ.Apps.MediaRelay;

/// <summary>The four sockets of a session (RTP and RTCP of each leg), bound through the node's policy.</summary>
internal sealed class SessionSockets : IDisposable
{
    private readonly Socket[] _sockets;
    private int _disposed;

    private SessionSockets(Socket[] sockets) => _sockets = sockets;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Binds every port of <paramref name="session"/>; disposes what it bound and rethrows when one fails.</summary>
    public static SessionSockets Bind(IServerSockets serverSockets, RelaySession session)
    {
        var ports = new[] { session.A.RtpPort, session.A.RtcpPort, session.B.RtpPort, session.B.RtcpPort };
        var sockets = new List<Socket>(ports.Length);
        try
        {
            foreach (var port in ports)
            {
                sockets.Add(serverSockets.BindUdp(port));
            }
        }
        catch
        {
            sockets.ForEach(s => s.Dispose());
            throw;
        }

        return new SessionSockets([.. sockets]);
    }

    public Socket For(RelayLegId leg, MediaChannel channel) => _sockets[((int)leg * 2) + (int)channel];

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
