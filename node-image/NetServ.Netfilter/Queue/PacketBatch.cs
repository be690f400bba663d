using System.Runtime.InteropServices;
using static NetServ.Netfilter.Native.Interop;
using static NetServ.Netfilter.Native.Interop.Netlink;

namespace NetServ.Netfilter.Queue;

/// <summary>
/// The receive side of one reading loop: pinned native buffers for up to <see cref="Capacity"/>
/// datagrams, the recvmmsg descriptors pointing at them, and after
/// <see cref="NetfilterQueue.Receive(PacketBatch)"/> the packets found, whose payloads are spans over
/// those buffers (valid until the next receive). One thread uses a batch at a time.
/// </summary>
internal sealed unsafe class PacketBatch : IDisposable, IQueueMessageHandler
{
    /// <summary>Room for the netlink, nfgenmsg and attribute headers in front of a packet's bytes, and for a little growth.</summary>
    public const int Headroom = 512;

    private readonly int _slotBytes;
    private byte* _buffers;
    private MMsgHdr* _messages;
    private IoVec* _iovecs;
    private QueuedPacketInfo[] _packets;
    private int _count;
    private int _slot;

    /// <summary>Creates a batch sized by <paramref name="options"/> (BatchSize datagrams of MaxPacketBytes + <see cref="Headroom"/>).</summary>
    public PacketBatch(NetfilterQueueOptions options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).BatchSize, options.MaxPacketBytes)
    {
    }

    /// <summary>Creates a batch of <paramref name="capacity"/> datagrams, each up to <paramref name="maxPacketBytes"/> + <see cref="Headroom"/> bytes.</summary>
    public PacketBatch(int capacity, int maxPacketBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketBytes, 65535);
        Capacity = capacity;

        // Slots start on cache lines; a packet's bytes then start 4-byte aligned after the headers.
        _slotBytes = (maxPacketBytes + Headroom + 63) & ~63;
        _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)capacity * (nuint)_slotBytes, 64);
        _messages = (MMsgHdr*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(MMsgHdr));
        _iovecs = (IoVec*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(IoVec));
        for (var i = 0; i < capacity; i++)
        {
            _iovecs[i].iov_base = _buffers + ((nint)i * _slotBytes);
            _iovecs[i].iov_len = (nuint)_slotBytes;
            _messages[i].msg_hdr.msg_iov = &_iovecs[i];
            _messages[i].msg_hdr.msg_iovlen = 1;
        }

        // One packet per datagram is what the kernel sends; more only make the array grow once.
        _packets = new QueuedPacketInfo[capacity];
    }

    ~PacketBatch() => Free();

    /// <summary>Datagrams one receive takes at most.</summary>
    public int Capacity { get; }

    /// <summary>Packets found by the last receive.</summary>
    public int Count => _count;

    /// <summary>Messages skipped since the batch was made: NLMSG_ERROR (e.g. ENOENT for a verdict on an id the kernel no longer holds) and anything that is not a packet.</summary>
    public long ErrorMessages { get; private set; }

    /// <summary>The errno of the last NLMSG_ERROR received, 0 when none came.</summary>
    public int LastErrorCode { get; private set; }

    /// <summary>Datagrams cut short because they did not fit a buffer (MSG_TRUNC).</summary>
    public long TruncatedDatagrams { get; private set; }

    /// <summary>The packet at <paramref name="index"/> (below <see cref="Count"/>), valid until the next receive.</summary>
    public QueuedPacket this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            ObjectDisposedException.ThrowIf(_buffers is null, this);
            ref readonly var info = ref _packets[index];
            var slot = _buffers + ((nint)info.PayloadOffset);
            return new QueuedPacket(info, new Span<byte>(slot, info.PayloadCapacity));
        }
    }

    internal MMsgHdr* Messages
    {
        get
        {
            ObjectDisposedException.ThrowIf(_buffers is null, this);
            return _messages;
        }
    }

    /// <summary>Forgets the previous receive's packets.</summary>
    internal void Reset() => _count = 0;

    /// <summary>
    /// Copies <paramref name="datagrams"/> into the batch's buffers as recvmmsg would (one per buffer, cutting
    /// one that does not fit and flagging it MSG_TRUNC) and parses them; returns the packets found. The receive
    /// of a queue that is not a socket: fakes in tests.
    /// </summary>
    internal int Fill(ReadOnlySpan<byte[]> datagrams)
    {
        ObjectDisposedException.ThrowIf(_buffers is null, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(datagrams.Length, Capacity, nameof(datagrams));
        Reset();
        for (var i = 0; i < datagrams.Length; i++)
        {
            var datagram = datagrams[i];
            var length = Math.Min(datagram.Length, _slotBytes);
            datagram.AsSpan(0, length).CopyTo(new Span<byte>(_buffers + ((nint)i * _slotBytes), _slotBytes));
            _messages[i].msg_len = (uint)length;
            _messages[i].msg_hdr.msg_flags = datagram.Length > _slotBytes ? MSG_TRUNC : 0;
        }

        return Parse(datagrams.Length);
    }

    /// <summary>Parses the <paramref name="datagrams"/> datagrams recvmmsg filled; returns the packets found.</summary>
    internal int Parse(int datagrams)
    {
        _count = 0;
        for (var i = 0; i < datagrams; i++)
        {
            _slot = i;
            if ((_messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0)
            {
                TruncatedDatagrams++;
            }

            var length = (int)Math.Min(_messages[i].msg_len, (uint)_slotBytes);
            var slot = new ReadOnlySpan<byte>(_buffers + ((nint)i * _slotBytes), _slotBytes);
            var handler = this;
            QueueMessageParser.ParseDatagram(slot, length, ref handler);
        }

        return _count;
    }

    void IQueueMessageHandler.OnPacket(in QueuedPacketInfo packet)
    {
        if (_count == _packets.Length)
        {
            Array.Resize(ref _packets, _packets.Length * 2);
        }

        ref var entry = ref _packets[_count++];
        entry = packet;

        // Offsets become relative to the start of all buffers, so the indexer needs no slot number.
        entry.PayloadOffset += _slot * _slotBytes;
    }

    void IQueueMessageHandler.OnError(int errno, uint sequence)
    {
        if (errno != 0)
        {
            ErrorMessages++;
            LastErrorCode = errno;
        }
    }

    void IQueueMessageHandler.OnOther(ushort type) => ErrorMessages++;

    /// <inheritdoc />
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        NativeMemory.AlignedFree(_buffers);
        NativeMemory.Free(_messages);
        NativeMemory.Free(_iovecs);
        _buffers = null;
        _messages = null;
        _iovecs = null;
        _count = 0;
    }
}

/// <summary>
/// One packet of a <see cref="PacketBatch"/>: its verdict id, metadata, and its bytes as a span over
/// the receive buffer (no copy). A module may change the bytes in place, and grow the packet into
/// <see cref="PayloadBuffer"/>, before <see cref="VerdictBatch.AcceptModified"/>.
/// </summary>
internal readonly ref struct QueuedPacket
{
    private readonly QueuedPacketInfo _info;
    private readonly Span<byte> _buffer;

    internal QueuedPacket(in QueuedPacketInfo info, Span<byte> buffer)
    {
        _info = info;
        _buffer = buffer;
    }

    /// <summary>The id a verdict names.</summary>
    public uint PacketId => _info.PacketId;

    /// <summary>The packet, from its IP header on.</summary>
    public Span<byte> Payload => _buffer[.._info.PayloadLength];

    /// <summary>The packet followed by the free room after it in the receive buffer.</summary>
    public Span<byte> PayloadBuffer => _buffer;

    /// <summary>The link-layer protocol in host order (0x0800 for IPv4).</summary>
    public ushort HwProtocol => _info.HwProtocol;

    /// <summary>The netfilter hook that queued the packet (NF_INET_FORWARD is 2).</summary>
    public byte Hook => _info.Hook;

    /// <summary>The packet's firewall mark.</summary>
    public uint Mark => _info.Mark;

    /// <summary>The index of the interface the packet came in on, 0 when none.</summary>
    public uint InputInterface => _info.InputInterface;

    /// <summary>The index of the interface the packet goes out on, 0 when none.</summary>
    public uint OutputInterface => _info.OutputInterface;

    /// <summary>The packet's whole length in the kernel; more than <see cref="Payload"/>'s when the copy was cut.</summary>
    public int OriginalLength => _info.OriginalLength;

    /// <summary>Whether only part of the packet was copied: such a packet must not be given back modified.</summary>
    public bool IsTruncated => _info.OriginalLength > _info.PayloadLength;
}
