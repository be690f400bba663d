using System.Net.Sockets;
using NetServ.Sdk;
using NetServ.Testbed.Linux;

namespace NetServ.TestSupport.Traffic;

/// <summary>
/// Captures whole IPv4/UDP packets (headers included) arriving at a namespace, through a raw
/// socket, so tests can check what is on the wire: lengths and checksums as the kernel got them.
/// </summary>
public sealed class RawUdpCapture : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte[]> _packets = [];
    private readonly Thread _thread;
    private readonly int _port;
    private volatile bool _stopping;

    private RawUdpCapture(Socket socket, int port)
    {
        _socket = socket;
        _port = port;
        _thread = new Thread(Loop) { IsBackground = true, Name = "raw capture" };
        _thread.Start();
    }

    /// <summary>The captured packets to the port, each from its IPv4 header on.</summary>
    public IReadOnlyList<byte[]> Packets
    {
        get
        {
            lock (_packets)
            {
                return [.. _packets];
            }
        }
    }

    /// <summary>Captures UDP packets to <paramref name="port"/> arriving in <paramref name="ns"/>.</summary>
    public static RawUdpCapture Start(NetworkNamespace ns, int port)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var socket = ns.CreateSocket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp);
        socket.ReceiveBufferSize = 16 << 20;
        socket.ReceiveTimeout = 100;
        return new RawUdpCapture(socket, port);
    }

    /// <summary>Whether <paramref name="ipv4Packet"/> has a valid IPv4 header checksum and a valid UDP checksum and lengths.</summary>
    public static bool HasValidChecksums(byte[] ipv4Packet)
    {
        ArgumentNullException.ThrowIfNull(ipv4Packet);
        var packet = new Packet(ipv4Packet.AsSpan());
        if (!packet.IsUdp)
        {
            return false;
        }

        var headerLength = packet.TransportOffset;
        var segment = ipv4Packet.AsSpan(headerLength);
        return InternetChecksum.IsValid(ipv4Packet.AsSpan(0, headerLength))
            && packet.Ipv4.TotalLength == ipv4Packet.Length
            && packet.Udp.DatagramLength == segment.Length
            && (packet.Udp.Checksum == 0 || InternetChecksum.IsValidTransport(packet.Source, packet.Destination, IpProtocol.Udp, segment));
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(1));
        _socket.Dispose();
    }

    private void Loop()
    {
        var buffer = new byte[65536];
        while (!_stopping)
        {
            try
            {
                var length = _socket.Receive(buffer);
                var packet = new Packet(buffer.AsSpan(0, length));
                if (packet.IsUdp && packet.DestinationPort == _port)
                {
                    lock (_packets)
                    {
                        _packets.Add(buffer.AsSpan(0, length).ToArray());
                    }
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
