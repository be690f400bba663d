using System.Buffers.Binary;
using NetServ.Networking;

namespace NetServ.Sdk;

/// <summary>
/// One packet in the packet path: a view over the bytes of an IPv4 datagram, starting at its IP
/// header. In a container it points into the receive buffer, like the paper's DirectByteBuffer:
/// reading and writing touch the packet itself and nothing is allocated.
/// </summary>
/// <remarks>
/// The header views (<see cref="Ipv4"/>, <see cref="Udp"/>, <see cref="Tcp"/>) and
/// <see cref="Payload"/> are checked against the packet's length, so a malformed packet cannot
/// make a module read outside it: check <see cref="IsUdp"/> or <see cref="IsTcp"/> before asking
/// for a transport header.
/// </remarks>
public ref struct Packet
{
    private Span<byte> _buffer;
    private int _length;
    private bool _modified;
    private bool _changedSinceCheck;
    private readonly byte[]? _spill;

    /// <summary>Creates a view over a whole packet; it cannot grow.</summary>
    public Packet(Span<byte> data)
        : this(data, data.Length, null)
    {
    }

    /// <summary>Creates a view over the first <paramref name="length"/> bytes of <paramref name="buffer"/>; it can grow up to the buffer's length.</summary>
    public Packet(Span<byte> buffer, int length)
        : this(buffer, length, null)
    {
    }

    /// <summary>Creates a view that may move to <paramref name="spill"/> when it grows beyond <paramref name="buffer"/>.</summary>
    internal Packet(Span<byte> buffer, int length, byte[]? spill)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        _buffer = buffer;
        _length = length;
        _spill = spill;
    }

    /// <summary>The packet's bytes, from the IP header to the end of the payload.</summary>
    public readonly Span<byte> Data => _buffer[.._length];

    /// <summary>The packet's length in bytes.</summary>
    public readonly int Length => _length;

    /// <summary>How long the packet may become through <see cref="TrySetLength"/>.</summary>
    public readonly int Capacity => Math.Max(_buffer.Length, _spill?.Length ?? 0);

    /// <summary>Whether a module has changed the packet (see <see cref="MarkModified"/>).</summary>
    public readonly bool IsModified => _modified;

    /// <summary>Whether the bytes hold a well-formed IPv4 header.</summary>
    public readonly bool IsIpv4
    {
        get
        {
            if (_length < Ipv4Header.MinimumLength || (_buffer[0] >> 4) != 4)
            {
                return false;
            }

            var headerLength = (_buffer[0] & 0x0F) * 4;
            return headerLength >= Ipv4Header.MinimumLength && headerLength <= _length;
        }
    }

    /// <summary>The IPv4 header.</summary>
    /// <exception cref="InvalidOperationException">The packet is not IPv4 (<see cref="IsIpv4"/>).</exception>
    public readonly Ipv4Header Ipv4 => IsIpv4 ? new Ipv4Header(_buffer[.._length]) : throw new InvalidOperationException("The packet is not a well-formed IPv4 packet.");

    /// <summary>The IP protocol number, or 0 when the packet is not IPv4.</summary>
    public readonly byte Protocol => IsIpv4 ? _buffer[9] : (byte)0;

    /// <summary>The source address, or 0.0.0.0 when the packet is not IPv4.</summary>
    public readonly Ipv4Address Source => IsIpv4 ? Ipv4Address.Read(_buffer[12..]) : default;

    /// <summary>The destination address, or 0.0.0.0 when the packet is not IPv4.</summary>
    public readonly Ipv4Address Destination => IsIpv4 ? Ipv4Address.Read(_buffer[16..]) : default;

    /// <summary>Where the transport header starts (the IP header's length).</summary>
    public readonly int TransportOffset => IsIpv4 ? (_buffer[0] & 0x0F) * 4 : 0;

    /// <summary>Whether this is a UDP packet (first fragment or unfragmented) with a whole UDP header.</summary>
    public readonly bool IsUdp =>
        IsIpv4 && _buffer[9] == IpProtocol.Udp && !IsLaterFragment && _length >= TransportOffset + UdpHeader.Length;

    /// <summary>Whether this is a TCP packet (first fragment or unfragmented) with a whole TCP header.</summary>
    public readonly bool IsTcp
    {
        get
        {
            if (!IsIpv4 || _buffer[9] != IpProtocol.Tcp || IsLaterFragment)
            {
                return false;
            }

            var offset = TransportOffset;
            if (_length < offset + TcpHeader.MinimumLength)
            {
                return false;
            }

            var headerLength = (_buffer[offset + 12] >> 4) * 4;
            return headerLength >= TcpHeader.MinimumLength && offset + headerLength <= _length;
        }
    }

    /// <summary>The UDP header.</summary>
    /// <exception cref="InvalidOperationException">The packet is not UDP (<see cref="IsUdp"/>).</exception>
    public readonly UdpHeader Udp => IsUdp ? new UdpHeader(_buffer.Slice(TransportOffset, UdpHeader.Length)) : throw new InvalidOperationException("The packet is not a UDP packet.");

    /// <summary>The TCP header.</summary>
    /// <exception cref="InvalidOperationException">The packet is not TCP (<see cref="IsTcp"/>).</exception>
    public readonly TcpHeader Tcp => IsTcp ? new TcpHeader(_buffer[TransportOffset.._length]) : throw new InvalidOperationException("The packet is not a TCP packet.");

    /// <summary>The destination port of a UDP or TCP packet, or -1.</summary>
    public readonly int DestinationPort =>
        IsUdp || IsTcp ? BinaryPrimitives.ReadUInt16BigEndian(_buffer[(TransportOffset + 2)..]) : -1;

    /// <summary>The source port of a UDP or TCP packet, or -1.</summary>
    public readonly int SourcePort =>
        IsUdp || IsTcp ? BinaryPrimitives.ReadUInt16BigEndian(_buffer[TransportOffset..]) : -1;

    /// <summary>Where the payload starts: after the UDP or TCP header, else after the IP header.</summary>
    public readonly int PayloadOffset
    {
        get
        {
            if (IsUdp)
            {
                return TransportOffset + UdpHeader.Length;
            }

            if (IsTcp)
            {
                return TransportOffset + ((_buffer[TransportOffset + 12] >> 4) * 4);
            }

            return TransportOffset;
        }
    }

    /// <summary>The payload: the UDP or TCP data, or for other protocols everything after the IP header.</summary>
    public readonly Span<byte> Payload => _buffer[PayloadOffset.._length];

    private readonly bool IsLaterFragment => (BinaryPrimitives.ReadUInt16BigEndian(_buffer[6..]) & 0x1FFF) != 0;

    /// <summary>Records that the packet was changed, so the container sends the new bytes back with fixed checksums.</summary>
    public void MarkModified() => _modified = _changedSinceCheck = true;

    /// <summary>Whether the packet was changed since the last call; lets the container count each module's own changes.</summary>
    internal bool CheckChanged()
    {
        var changed = _changedSinceCheck;
        _changedSinceCheck = false;
        return changed;
    }

    /// <summary>
    /// Changes the packet's length to <paramref name="length"/> bytes, keeping its first bytes, and
    /// updates the IPv4 total length and UDP length fields. Returns <see langword="false"/> when the
    /// packet cannot grow that far (<see cref="Capacity"/>, and at most 65535 bytes, the largest
    /// IPv4 packet).
    /// </summary>
    public bool TrySetLength(int length)
    {
        if (length < Ipv4Header.MinimumLength || length > Capacity || length > ushort.MaxValue || !IsIpv4 || length < TransportOffset)
        {
            return false;
        }

        if (length > _buffer.Length)
        {
            _buffer[.._length].CopyTo(_spill);
            _buffer = _spill;
        }

        // In a fragment the UDP length is the whole datagram's, not this fragment's.
        var wasUdp = IsUdp && !new Ipv4Header(_buffer[.._length]).IsFragment;
        _length = length;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)length);
        if (wasUdp && length >= TransportOffset + UdpHeader.Length)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(TransportOffset + 4)..], (ushort)(length - TransportOffset));
        }

        _modified = _changedSinceCheck = true;
        return true;
    }

    /// <summary>Changes the payload's length (see <see cref="TrySetLength"/>).</summary>
    public bool TrySetPayloadLength(int payloadLength) =>
        payloadLength >= 0 && TrySetLength(PayloadOffset + payloadLength);

    /// <summary>
    /// Recomputes the IPv4 header checksum and the UDP or TCP checksum, and sets the length fields
    /// to the packet's length. The container does this itself for packets marked modified. In a
    /// fragment only the IPv4 header is fixed: its transport header describes the whole datagram.
    /// </summary>
    public readonly void UpdateChecksums()
    {
        if (!IsIpv4)
        {
            return;
        }

        var ip = new Ipv4Header(_buffer[.._length]);
        ip.TotalLength = (ushort)_length;
        ip.UpdateChecksum();
        var offset = TransportOffset;
        var segment = _buffer[offset.._length];
        if (IsUdp && !ip.IsFragment)
        {
            // A first fragment's UDP length and checksum cover the whole datagram; they stay as they are.
            var udp = new UdpHeader(segment);
            udp.DatagramLength = (ushort)segment.Length;
            udp.Checksum = 0;
            udp.Checksum = InternetChecksum.ComputeTransport(ip.Source, ip.Destination, IpProtocol.Udp, segment);
        }
        else if (IsTcp && !ip.IsFragment)
        {
            var tcp = new TcpHeader(segment);
            tcp.Checksum = 0;
            tcp.Checksum = InternetChecksum.ComputeTransport(ip.Source, ip.Destination, IpProtocol.Tcp, segment);
        }
    }
}
