using Microsoft.Extensions.Logging;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;

namespace NetServ.Apps.OpenFlowController;

/// <summary>What the controller needs to know about the switch it runs: where the NetServ node hangs off it.</summary>
internal sealed class LearningControllerOptions
{
    /// <summary>The switch port of the NetServ node, where NSIS signaling is steered.</summary>
    public uint NetServPort { get; set; }

    /// <summary>The UDP port of NSIS signaling (GIST): 270.</summary>
    public ushort SignalingPort { get; set; } = 270;

    /// <summary>How long a learned forwarding flow stays without traffic.</summary>
    public TimeSpan LearnedFlowIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfZero(NetServPort, nameof(NetServPort));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(NetServPort, OpenFlowPort.Max, nameof(NetServPort));
        ArgumentOutOfRangeException.ThrowIfZero(SignalingPort, nameof(SignalingPort));
        ArgumentOutOfRangeException.ThrowIfLessThan(LearnedFlowIdleTimeout, TimeSpan.FromSeconds(1), nameof(LearnedFlowIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LearnedFlowIdleTimeout, TimeSpan.FromSeconds(ushort.MaxValue), nameof(LearnedFlowIdleTimeout));
    }
}

/// <summary>
/// The controller's work on one switch (paper section 10, Figure 16): proactively, table 0 steers NSIS signaling
/// (UDP to port 270) that did not come from the NetServ node to the node's port, and sends everything else on to
/// table 1; table 1 is an L2 learning switch whose misses come to the controller, which learns the source's port,
/// installs a flow to a known destination, and floods otherwise.
/// </summary>
internal sealed partial class LearningController
{
    /// <summary>The cookie of the flows installed at start, so they can be told from learned ones.</summary>
    public const ulong ProactiveCookie = 0x4e53_0000_0000_0001;

    /// <summary>The cookie of learned forwarding flows.</summary>
    public const ulong LearnedCookie = 0x4e53_0000_0000_0002;

    /// <summary>The table of the learning switch.</summary>
    public const byte ForwardingTable = 1;

    private const ushort SignalingPriority = 1000;
    private const ushort FromNodePriority = 2000;
    private const ushort LearnedPriority = 100;
    private const ushort EthTypeIpv4 = 0x0800;
    private const byte IpProtocolUdp = 17;

    private readonly LearningControllerOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<EthernetAddress, uint> _ports = [];
    private long _packetIns;

    public LearningController(LearningControllerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;
    }

    /// <summary>How many PACKET_INs the controller has handled.</summary>
    public long PacketIns => Interlocked.Read(ref _packetIns);

    /// <summary>Installs the proactive flows, then handles PACKET_INs until the connection ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await InstallProactiveFlowsAsync(connection, cancellationToken).ConfigureAwait(false);
        await foreach (var message in connection.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (message)
            {
                case PacketInMessage packetIn:
                    Interlocked.Increment(ref _packetIns);
                    await HandlePacketInAsync(connection, packetIn, cancellationToken).ConfigureAwait(false);
                    break;
                case ErrorMessage error:
                    Log.SwitchError(_logger, connection.Peer, error.ToString());
                    break;
            }
        }
    }

    /// <summary>The flows that make up the controller's fixed part, in the order they are sent.</summary>
    internal IReadOnlyList<FlowModMessage> ProactiveFlows(Func<uint> nextXid) =>
    [
        // Everything the node sends (signaling it forwards included) is plain L2 forwarding.
        new FlowModMessage(nextXid(), FlowModCommand.Add, new OpenFlowMatch([Oxm.InPort(_options.NetServPort)]))
        {
            Cookie = ProactiveCookie,
            Priority = FromNodePriority,
            Instructions = [new GotoTableInstruction(ForwardingTable)],
        },
        new FlowModMessage(nextXid(), FlowModCommand.Add, new OpenFlowMatch(
            [Oxm.EthType(EthTypeIpv4), Oxm.IpProto(IpProtocolUdp), Oxm.UdpDst(_options.SignalingPort)]))
        {
            Cookie = ProactiveCookie,
            Priority = SignalingPriority,
            Instructions = [new ApplyActionsInstruction([new OutputAction(_options.NetServPort)])],
        },
        new FlowModMessage(nextXid(), FlowModCommand.Add, OpenFlowMatch.Any)
        {
            Cookie = ProactiveCookie,
            Priority = 0,
            Instructions = [new GotoTableInstruction(ForwardingTable)],
        },
        new FlowModMessage(nextXid(), FlowModCommand.Add, OpenFlowMatch.Any)
        {
            Cookie = ProactiveCookie,
            TableId = ForwardingTable,
            Priority = 0,
            Instructions = [new ApplyActionsInstruction([new OutputAction(OpenFlowPort.Controller, OpenFlowConstants.ControllerNoBuffer)])],
        },
    ];

    private async Task InstallProactiveFlowsAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        foreach (var flow in ProactiveFlows(connection.NextXid))
        {
            await connection.SendAsync(flow, cancellationToken).ConfigureAwait(false);
        }

        await connection.BarrierAsync(cancellationToken).ConfigureAwait(false);
        Log.ProactiveFlowsInstalled(_logger, connection.Peer, _options.SignalingPort, _options.NetServPort);
    }

    private async Task HandlePacketInAsync(OpenFlowConnection connection, PacketInMessage packetIn, CancellationToken cancellationToken)
    {
        var frame = packetIn.Data.Span;
        if (packetIn.Match.InPort is not { } inPort || !TryReadAddresses(frame, out var destination, out var source))
        {
            return;
        }

        if (!IsMulticast(source))
        {
            _ports[source] = inPort;
        }

        var outPort = OpenFlowPort.Flood;
        if (!IsMulticast(destination) && _ports.TryGetValue(destination, out var known) && known != inPort)
        {
            outPort = known;
            await connection.SendAsync(
                new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch([Oxm.EthDst(destination)]))
                {
                    Cookie = LearnedCookie,
                    TableId = ForwardingTable,
                    Priority = LearnedPriority,
                    IdleTimeout = (ushort)_options.LearnedFlowIdleTimeout.TotalSeconds,
                    Instructions = [new ApplyActionsInstruction([new OutputAction(outPort)])],
                },
                cancellationToken).ConfigureAwait(false);
            Log.Learned(_logger, destination, outPort);
        }

        // The packet that missed goes on as well: as it came (no buffering), from its ingress port.
        await connection.SendAsync(
            new PacketOutMessage(connection.NextXid(), packetIn.BufferId, inPort, [new OutputAction(outPort)],
                packetIn.BufferId == OpenFlowConstants.NoBuffer ? packetIn.Data : default),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an Ethernet frame's destination and source addresses; false when the frame is shorter than a header.</summary>
    internal static bool TryReadAddresses(ReadOnlySpan<byte> frame, out EthernetAddress destination, out EthernetAddress source)
    {
        if (frame.Length < 14)
        {
            destination = source = default;
            return false;
        }

        destination = EthernetAddress.Read(frame);
        source = EthernetAddress.Read(frame[6..]);
        return true;
    }

    /// <summary>Group addresses (broadcast included) have the least significant bit of the first octet set.</summary>
    internal static bool IsMulticast(EthernetAddress address) => (address.Value >> 40 & 1) != 0;

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Switch {Peer}: UDP/{SignalingPort} steered to port {NetServPort}, L2 learning in table 1")]
        public static partial void ProactiveFlowsInstalled(ILogger logger, string peer, ushort signalingPort, uint netServPort);

        [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Learned {Address} at port {Port}")]
        public static partial void Learned(ILogger logger, EthernetAddress address, uint port);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Switch {Peer} reported {Error}")]
        public static partial void SwitchError(ILogger logger, string peer, string error);
    }
}
