using System.Runtime.InteropServices;
using NetServ.Native;
using NetServ.Sdk;

namespace NetServ.Container.Packets;

/// <summary>
/// Sends whole IPv4 packets through a raw socket (IPPROTO_RAW, header included) that netservd
/// opened and passed over the control connection: the container itself holds no CAP_NET_RAW.
/// </summary>
internal sealed class RawPacketSender : IPacketSender, IDisposable
{
    private int _fd;
    private long _sent;
    private long _failed;

    public RawPacketSender(int fd) => _fd = fd;

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

    public unsafe bool TrySend(ReadOnlySpan<byte> ipv4Packet)
    {
        if (_fd < 0 || ipv4Packet.Length < Ipv4Header.MinimumLength || (ipv4Packet[0] >> 4) != 4)
        {
            Interlocked.Increment(ref _failed);
            return false;
        }

        var address = new Interop.SockAddrIn
        {
            Family = Interop.AF_INET,
            // sockaddr_in holds the address in network order: copy the header's bytes as they are.
            Address = MemoryMarshal.Read<uint>(ipv4Packet[16..]),
        };
        fixed (byte* data = ipv4Packet)
        {
            var sent = Interop.SendTo(_fd, data, (nuint)ipv4Packet.Length, Interop.MSG_DONTWAIT, &address, (uint)sizeof(Interop.SockAddrIn));
            if (sent < 0)
            {
                Interlocked.Increment(ref _failed);
                return false;
            }
        }

        Interlocked.Increment(ref _sent);
        return true;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Interop.Close(fd);
        }
    }
}

/// <summary>Used when no raw socket was passed (tests, or a node that gives none): every send fails.</summary>
internal sealed class UnavailablePacketSender : IPacketSender
{
    public bool TrySend(ReadOnlySpan<byte> ipv4Packet) => false;
}
