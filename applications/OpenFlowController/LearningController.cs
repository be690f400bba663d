using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.OpenFlow;
using NetServ.OpenFlow.Transport;
using NetServ.Sdk;

namespace NetServ.Apps.OpenFlowController;

/// <summary>What the controller needs to know about the switch it runs: where the NetServ node hangs off it.</summary>
internal sealed class LearningControllerOptions
{
    /// <summary>The switch port of the NetServ node, where NSIS signaling is steered.</summary>
    public uint NetServPort { get; set; }

    /// <summary>The UDP port of NSIS signaling (GIST): 270.</summary>
    public ushort SignalingPort { get; set; } = 270;

    /// <summary>
    /// The NetServ node's own MAC address: packets steered to the node are addressed to it, so that its IP stack
    /// takes them in and routes them back. Without it they are sent to the node's port as they are.
    /// </summary>
    public EthernetAddress? NetServMac { get; set; }

    /// <summary>
    /// Further NetServ nodes on the switch (the paper's scale-out): the flows of the filters are spread over all
    /// nodes by a hash of each flow. Signaling visits every node in turn, <see cref="NetServPort"/> first, as on-path
    /// nodes in series would, so a module installed through signaling is on every node a flow may be steered to.
    /// </summary>
    public IList<NetServNodeAttachment> MoreNodes { get; } = [];

    /// <summary>Every NetServ node, the signaling one first.</summary>
    internal NetServNodeAttachment[] Nodes => [new NetServNodeAttachment(NetServPort, NetServMac), .. MoreNodes];

    /// <summary>How long a learned forwarding flow stays without traffic.</summary>
    public TimeSpan LearnedFlowIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        foreach (var node in Nodes)
        {
            ArgumentOutOfRangeException.ThrowIfZero(node.Port, nameof(NetServPort));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(node.Port, OpenFlowPort.Max, nameof(NetServPort));
        }

        if (Nodes.Select(n => n.Port).Distinct().Count() != Nodes.Length)
        {
            throw new ArgumentException("two NetServ nodes are given the same switch port", nameof(MoreNodes));
        }

        ArgumentOutOfRangeException.ThrowIfZero(SignalingPort, nameof(SignalingPort));
        ArgumentOutOfRangeException.ThrowIfLessThan(LearnedFlowIdleTimeout, TimeSpan.FromSeconds(1), nameof(LearnedFlowIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LearnedFlowIdleTimeout, TimeSpan.FromSeconds(ushort.MaxValue), nameof(LearnedFlowIdleTimeout));
    }
}

/// <summary>A NetServ node hanging off the switch: its port, and its MAC address to which steered packets are addressed.</summary>
internal sealed record NetServNodeAttachment(uint Port, EthernetAddress? Mac);

/// <summary>A flow of a filter the controller installed: its cookie, its node (or none: fail-open) and its match.</summary>
internal sealed record SteeredFlow(ulong Cookie, int Node, ValueList<Oxm> Fields);

/// <summary>
/// The controller's work on one switch (paper section 10, Figure 16): proactively, table 0 steers NSIS signaling
/// (UDP to port 270) that did not come from a NetServ node to the first node's port, signaling a node sends on to the
/// next node's port (addressed to its MAC when known) and what the last node sends on to table 1, so signaling visits
/// the nodes in series (section 10: a single flow can use multiple NetServ nodes); everything else goes on to table 1; table 1 is an L2 learning switch whose misses come to the controller, which learns the source's port,
/// installs a flow to a known destination, and floods otherwise.
/// </summary>
/// <remarks>
/// <para>The controller also observes the node's packet filters (the <c>filter-events</c> building block). For each filter
/// it adds a table-0 flow that sends matching packets (not from the node) to itself, so that the first packet of a
/// flow comes to it even when L2 learning already knows the destination (step 2). It then installs the flow that
/// sends that flow to the NetServ node (step 3); what the node sends back takes the from-node flow into L2
/// learning (steps 5 and 6). Every flow of a filter carries the filter's cookie, and goes when the filter goes.</para>
/// <para>It follows the nodes' switch ports (PORT_DESC at connect, PORT_STATUS after): when a node's port is deleted,
/// configured down or loses its link, the flows steered to it are deleted and forgotten, so each flow's next packet
/// comes back and is steered to a live node. Nodes are chosen by rendezvous hashing over the live nodes: a node going
/// down moves only its own flows, and a node coming back takes back exactly the flows that prefer it (their flows are
/// deleted, so their next packet is steered again). Signaling skips a down node: the flows that carry UDP/270 are
/// re-pointed to the next live node. With no node live a filter's flows, and signaling, fail open: they are forwarded
/// by L2 learning without visiting a node, as the Linux node's NFQUEUE bypass does, until a node is live again.</para>
/// <para>The switch is in secure fail mode and keeps its flows when the controller goes. A controller that connects
/// first deletes every flow carrying its cookies (what an earlier instance left), then installs its proactive flows
/// again; the filters come back through the subscription, which tells a new observer of the filters installed now.</para>
/// </remarks>
internal sealed partial class LearningController : IPacketFilterObserver
{
    /// <summary>The cookie of the flows installed at start, so they can be told from learned ones.</summary>
    public const ulong ProactiveCookie = 0x4e53_0000_0000_0001;

    /// <summary>The cookie of learned forwarding flows.</summary>
    public const ulong LearnedCookie = 0x4e53_0000_0000_0002;

    /// <summary>The table of the learning switch.</summary>
    public const byte ForwardingTable = 1;

    /// <summary>The cookies of a filter's flows: this prefix and the filter's number in the low 32 bits.</summary>
    public const ulong FilterCookiePrefix = 0x4e53_0001_0000_0000;

    /// <summary>The bits of <see cref="FilterCookiePrefix"/>: the filter flows of any filter.</summary>
    public const ulong FilterCookieMask = 0xffff_ffff_0000_0000;

    /// <summary>The bits every cookie of this controller shares (0x4e53, "NS"): what a new controller deletes at connect.</summary>
    public const ulong ControllerCookieMask = 0xffff_0000_0000_0000;

    /// <summary>The node index of a flow of a filter that is forwarded without a node because none was live.</summary>
    private const int NoNode = -1;

    private const ushort FilterToControllerPriority = 500;
    private const ushort SteeredFlowPriority = 600;
    private const ushort SignalingPriority = 1000;
    private const ushort FromNodePriority = 2000;
    private const ushort SignalingChainPriority = 3000;
    private const ushort LearnedPriority = 100;
    private const ushort EthTypeIpv4 = 0x0800;
    private const byte IpProtocolUdp = 17;

    private readonly LearningControllerOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<EthernetAddress, uint> _ports = [];
    private readonly NetServNodeAttachment[] _nodes;
    private readonly HashSet<uint> _nodePorts;
    private readonly long[] _steeredPerNode;

    // Whether each node's switch port can carry traffic; guarded by _steered's lock.
    private readonly bool[] _live;

    // The flows steered so far (to a node, or past the nodes when none was live): the switch's datapath may still send
    // a flow's next packets up for a moment after its flow was added, and those must not count as new flows.
    private readonly Dictionary<(Ipv4Address Source, Ipv4Address Destination, uint Hash), SteeredFlow> _steered = [];
    private readonly Dictionary<InstalledFilter, ulong> _filterCookies = [];
    private readonly Channel<(InstalledFilter Filter, bool Added)> _filterChanges = Channel.CreateUnbounded<(InstalledFilter, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private uint _nextFilter;
    private long _packetIns;
    private long _steeredFlows;
    private long _bypassedFlows;

    public LearningController(LearningControllerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;
        _nodes = options.Nodes;
        _nodePorts = [.. _nodes.Select(n => n.Port)];
        _steeredPerNode = new long[_nodes.Length];
        _live = [.. _nodes.Select(_ => true)];
    }

    /// <summary>How many PACKET_INs the controller has handled.</summary>
    public long PacketIns => Interlocked.Read(ref _packetIns);

    /// <summary>How many flows the controller has steered through the NetServ node.</summary>
    public long SteeredFlows => Interlocked.Read(ref _steeredFlows);

    /// <summary>How many flows went to each NetServ node, in the order of <see cref="LearningControllerOptions.Nodes"/>.</summary>
    public long[] SteeredFlowsPerNode => [.. _steeredPerNode.Select(n => Interlocked.Read(ref n))];

    /// <summary>How many flows of a filter were forwarded without a node because no node was live (fail-open).</summary>
    public long BypassedFlows => Interlocked.Read(ref _bypassedFlows);

    /// <summary>Whether each NetServ node's switch port is up, in the order of <see cref="LearningControllerOptions.Nodes"/>.</summary>
    public bool[] NodesLive
    {
        get
        {
            lock (_steered)
            {
                return [.. _live];
            }
        }
    }

    /// <summary>The filters the controller steers for now.</summary>
    public int Filters
    {
        get
        {
            lock (_filterCookies)
            {
                return _filterCookies.Count;
            }
        }
    }

    /// <inheritdoc />
    public void OnFilterAdded(InstalledFilter filter) => _filterChanges.Writer.TryWrite((filter, true));

    /// <inheritdoc />
    public void OnFilterRemoved(InstalledFilter filter) => _filterChanges.Writer.TryWrite((filter, false));

    /// <summary>Installs the proactive flows, then handles PACKET_INs until the connection ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await DeleteEarlierFlowsAsync(connection, cancellationToken).ConfigureAwait(false);
        await LearnNodePortsAsync(connection, cancellationToken).ConfigureAwait(false);
        await InstallProactiveFlowsAsync(connection, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var filterWork = ApplyFilterChangesAsync(connection, stop.Token);
        try
        {
            await HandleMessagesAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await filterWork.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task HandleMessagesAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        await foreach (var message in connection.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (message)
            {
                case PacketInMessage packetIn:
                    Interlocked.Increment(ref _packetIns);
                    await HandlePacketInAsync(connection, packetIn, cancellationToken).ConfigureAwait(false);
                    break;
                case PortStatusMessage status:
                    await HandlePortStatusAsync(connection, status.Reason != PortStatusReason.Delete && status.Port.IsUp, status.Port.PortNumber, cancellationToken).ConfigureAwait(false);
                    break;
                case ErrorMessage error:
                    Log.SwitchError(_logger, connection.Peer, error.ToString());
                    break;
            }
        }
    }

    /// <summary>Resynchronisation: the flows an earlier controller left (its cookies are ours) go before ours are installed.</summary>
    private async Task DeleteEarlierFlowsAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Delete, OpenFlowMatch.Any)
            {
                Cookie = ProactiveCookie & ControllerCookieMask,
                CookieMask = ControllerCookieMask,
                TableId = OpenFlowConstants.AllTables,
            },
            cancellationToken).ConfigureAwait(false);
        Log.EarlierFlowsDeleted(_logger, connection.Peer);
    }

    /// <summary>Which node ports are up now (OFPMP_PORT_DESC); a node whose port the switch does not have is down.</summary>
    private async Task LearnNodePortsAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        var answer = await connection.RequestAsync(xid => new PortDescriptionRequestMessage(xid), cancellationToken).ConfigureAwait(false);
        if (answer is not PortDescriptionReplyMessage reply)
        {
            Log.SwitchError(_logger, connection.Peer, $"{answer} to a port description request; every node is taken as live");
            return;
        }

        foreach (var node in _nodes)
        {
            var up = reply.Ports.Any(p => p.PortNumber == node.Port && p.IsUp);
            await HandlePortStatusAsync(connection, up, node.Port, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A node's port went down: its steered flows are deleted and forgotten, so their next packets are steered to the
    /// live node they prefer next. A node came back: the flows that prefer it, and those forwarded past the nodes while
    /// none was live, are deleted and forgotten, so their next packets are steered to it (the load is spread again).
    /// Either way the signaling flows are re-pointed over the live nodes.
    /// </summary>
    private async Task HandlePortStatusAsync(OpenFlowConnection connection, bool up, uint port, CancellationToken cancellationToken)
    {
        var index = Array.FindIndex(_nodes, n => n.Port == port);
        if (index < 0)
        {
            return;
        }

        SteeredFlow[] forgotten;
        lock (_steered)
        {
            if (_live[index] == up)
            {
                return;
            }

            _live[index] = up;
            int[] live = [.. Enumerable.Range(0, _nodes.Length).Where(i => _live[i])];
            var keys = _steered
                .Where(f => up ? f.Value.Node == NoNode || f.Value.Node != Preferred(f.Key.Hash, live) : f.Value.Node == index)
                .Select(f => f.Key)
                .ToArray();
            forgotten = [.. keys.Select(k => _steered[k])];
            foreach (var key in keys)
            {
                _steered.Remove(key);
            }
        }

        foreach (var flow in SignalingFlows(connection.NextXid, FlowModCommand.ModifyStrict))
        {
            await connection.SendAsync(flow, cancellationToken).ConfigureAwait(false);
        }

        if (!up)
        {
            // Every flow of every filter that outputs to the node's port; the filter's own flow to the controller stays.
            await connection.SendAsync(
                new FlowModMessage(connection.NextXid(), FlowModCommand.Delete, OpenFlowMatch.Any)
                {
                    Cookie = FilterCookiePrefix,
                    CookieMask = FilterCookieMask,
                    TableId = OpenFlowConstants.AllTables,
                    OutPort = port,
                },
                cancellationToken).ConfigureAwait(false);
            Log.NodeDown(_logger, port, forgotten.Length);
            return;
        }

        foreach (var flow in forgotten)
        {
            await connection.SendAsync(
                new FlowModMessage(connection.NextXid(), FlowModCommand.DeleteStrict, new OpenFlowMatch(flow.Fields))
                {
                    Cookie = flow.Cookie,
                    CookieMask = ulong.MaxValue,
                    Priority = SteeredFlowPriority,
                },
                cancellationToken).ConfigureAwait(false);
        }

        Log.NodeUp(_logger, port, forgotten.Length);
    }

    /// <summary>The flows that make up the controller's fixed part, in the order they are sent.</summary>
    internal IReadOnlyList<FlowModMessage> ProactiveFlows(Func<uint> nextXid) =>
    [
        // Everything a node sends (signaling it forwards included) is plain L2 forwarding.
        .. _options.Nodes.Select(node => new FlowModMessage(nextXid(), FlowModCommand.Add, new OpenFlowMatch([Oxm.InPort(node.Port)]))
        {
            Cookie = ProactiveCookie,
            Priority = FromNodePriority,
            Instructions = [new GotoTableInstruction(ForwardingTable)],
        }),

        .. SignalingFlows(nextXid, FlowModCommand.Add),
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

    /// <summary>
    /// Where signaling goes (section 10: a single flow can use multiple NetServ nodes): from outside to the first live
    /// node, from each node but the last to the next live node after it, past the last live node to L2 learning. A
    /// node's packets are addressed to its MAC when known, so its IP stack takes them in. When a node goes down or comes
    /// back these flows are modified (<see cref="FlowModCommand.ModifyStrict"/> keeps their counters) to skip or include
    /// it; with no node live, signaling is forwarded as plain traffic (fail-open).
    /// </summary>
    internal IEnumerable<FlowModMessage> SignalingFlows(Func<uint> nextXid, FlowModCommand command)
    {
        bool[] live;
        lock (_steered)
        {
            live = [.. _live];
        }

        ValueList<OpenFlowInstruction> OnFrom(int index) => Array.FindIndex(live, index + 1, l => l) is var next and >= 0
            ? [new ApplyActionsInstruction([.. ToNode(_nodes[next])])]
            : [new GotoTableInstruction(ForwardingTable)];

        for (var index = 0; index < _nodes.Length - 1; index++)
        {
            yield return new FlowModMessage(nextXid(), command, new OpenFlowMatch(
                [Oxm.InPort(_nodes[index].Port), Oxm.EthType(EthTypeIpv4), Oxm.IpProto(IpProtocolUdp), Oxm.UdpDst(_options.SignalingPort)]))
            {
                Cookie = ProactiveCookie,
                Priority = SignalingChainPriority,
                Instructions = OnFrom(index),
            };
        }

        yield return new FlowModMessage(nextXid(), command, new OpenFlowMatch([Oxm.EthType(EthTypeIpv4), Oxm.IpProto(IpProtocolUdp), Oxm.UdpDst(_options.SignalingPort)]))
        {
            Cookie = ProactiveCookie,
            Priority = SignalingPriority,
            Instructions = OnFrom(-1),
        };
    }

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

        // Only what a filter's flow sent up from table 0: a miss of the learning table is plain forwarding.
        if (packetIn.TableId == 0 && !_nodePorts.Contains(inPort) && MatchingFilter(frame) is { } cookie
            && await SteerThroughNodeAsync(connection, packetIn, inPort, cookie, cancellationToken).ConfigureAwait(false))
        {
            return;
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

    /// <summary>The cookie of the first filter that the frame's IPv4 packet matches; null when none does.</summary>
    private ulong? MatchingFilter(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 + 20 || (frame[12] << 8 | frame[13]) != EthTypeIpv4)
        {
            return null;
        }

        var copy = frame[14..].ToArray();
        var packet = new Packet(copy);
        lock (_filterCookies)
        {
            foreach (var (filter, cookie) in _filterCookies)
            {
                if (filter.Filter.Matches(packet))
                {
                    return cookie;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Figure 16 step 3: the flow of this packet (source, destination, protocol, ports) goes to a live NetServ node,
    /// and so does the packet. With no node live the flow is sent on to L2 learning (fail-open) and false returned:
    /// the caller forwards the packet itself.
    /// </summary>
    private async Task<bool> SteerThroughNodeAsync(OpenFlowConnection connection, PacketInMessage packetIn, uint inPort, ulong cookie, CancellationToken cancellationToken)
    {
        var (fields, source, destination, hash) = FlowOf(packetIn.Data.Span[14..]);
        int[] live;
        lock (_steered)
        {
            live = [.. Enumerable.Range(0, _nodes.Length).Where(i => _live[i])];
        }

        if (live.Length == 0)
        {
            await BypassNodesAsync(connection, fields, (source, destination, hash), cookie, cancellationToken).ConfigureAwait(false);
            return false;
        }

        var index = Preferred(hash, live);
        var node = _nodes[index];
        var actions = ToNode(node);
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch(fields))
            {
                Cookie = cookie,
                Priority = SteeredFlowPriority,
                Instructions = [new ApplyActionsInstruction([.. actions])],
            },
            cancellationToken).ConfigureAwait(false);
        await connection.SendAsync(
            new PacketOutMessage(connection.NextXid(), packetIn.BufferId, inPort, [.. actions],
                packetIn.BufferId == OpenFlowConstants.NoBuffer ? packetIn.Data : default),
            cancellationToken).ConfigureAwait(false);
        bool added;
        lock (_steered)
        {
            added = _steered.TryAdd((source, destination, hash), new SteeredFlow(cookie, index, fields));
        }

        if (added)
        {
            Interlocked.Increment(ref _steeredFlows);
            Interlocked.Increment(ref _steeredPerNode[index]);
            Log.Steered(_logger, source, destination, node.Port);
        }

        return true;
    }

    /// <summary>
    /// The node a flow goes to among the live ones: the highest of a per-node score of the flow's hash (rendezvous
    /// hashing), so that a node going down moves only its own flows, and a node coming back takes back only the flows
    /// that prefer it.
    /// </summary>
    internal static int Preferred(uint hash, IReadOnlyList<int> live)
    {
        var (best, bestScore) = (live[0], Score(hash, live[0]));
        for (var i = 1; i < live.Count; i++)
        {
            if (Score(hash, live[i]) is var score && score > bestScore)
            {
                (best, bestScore) = (live[i], score);
            }
        }

        return best;
    }

    /// <summary>
    /// A flow's score for node <paramref name="node"/>: the flow hash and the node's number through MurmurHash3's
    /// finaliser twice, so that the scores of flows that differ only in a port are unrelated.
    /// </summary>
    private static uint Score(uint hash, int node) => Mix(Mix(hash + ((uint)(node + 1) * Golden)) * Golden);

    private const uint Golden = 0x9E37_79B9u;

    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x85EB_CA6Bu;
        x ^= x >> 13;
        x *= 0xC2B2_AE35u;
        return x ^ (x >> 16);
    }

    /// <summary>The actions that send a packet to a node: addressed to its MAC when known, so its IP stack takes it in.</summary>
    private static OpenFlowAction[] ToNode(NetServNodeAttachment node) =>
        node.Mac is { } mac ? [new SetFieldAction(Oxm.EthDst(mac)), new OutputAction(node.Port)] : [new OutputAction(node.Port)];

    /// <summary>Fail-open: the flow's later packets skip the controller and go to L2 learning until a node is live again.</summary>
    private async Task BypassNodesAsync(
        OpenFlowConnection connection, ValueList<Oxm> fields, (Ipv4Address Source, Ipv4Address Destination, uint Hash) key, ulong cookie, CancellationToken cancellationToken)
    {
        await connection.SendAsync(
            new FlowModMessage(connection.NextXid(), FlowModCommand.Add, new OpenFlowMatch(fields))
            {
                Cookie = cookie,
                Priority = SteeredFlowPriority,
                Instructions = [new GotoTableInstruction(ForwardingTable)],
            },
            cancellationToken).ConfigureAwait(false);
        bool added;
        lock (_steered)
        {
            added = _steered.TryAdd(key, new SteeredFlow(cookie, NoNode, fields));
        }

        if (added)
        {
            Interlocked.Increment(ref _bypassedFlows);
            Log.Bypassed(_logger, key.Source, key.Destination);
        }
    }

    /// <summary>
    /// The match of an IPv4 packet's flow (source, destination, protocol and, for UDP and TCP, both ports) and a hash
    /// of it that is the same in every run (FNV-1a), so a flow always goes to the same node.
    /// </summary>
    internal static (ValueList<Oxm> Fields, Ipv4Address Source, Ipv4Address Destination, uint Hash) FlowOf(ReadOnlySpan<byte> ipv4)
    {
        var packet = new Packet(ipv4.ToArray());
        var fields = new List<Oxm> { Oxm.EthType(EthTypeIpv4), Oxm.IpProto(packet.Protocol), Oxm.Ipv4Src(packet.Source), Oxm.Ipv4Dst(packet.Destination) };
        var (sourcePort, destinationPort) = (0, 0);
        if (packet.IsUdp)
        {
            (sourcePort, destinationPort) = (packet.SourcePort, packet.DestinationPort);
            fields.Add(Oxm.UdpSrc((ushort)sourcePort));
            fields.Add(Oxm.UdpDst((ushort)destinationPort));
        }
        else if (packet.IsTcp)
        {
            (sourcePort, destinationPort) = (packet.SourcePort, packet.DestinationPort);
            fields.Add(Oxm.TcpSrc((ushort)sourcePort));
            fields.Add(Oxm.TcpDst((ushort)destinationPort));
        }

        var hash = 2166136261u;
        foreach (var value in (ReadOnlySpan<uint>)[packet.Source.Value, packet.Destination.Value, packet.Protocol, (uint)sourcePort, (uint)destinationPort])
        {
            hash = (hash ^ value) * 16777619u;
        }

        return ([.. fields], packet.Source, packet.Destination, hash);
    }

    /// <summary>Keeps the switch's filter flows in step with the node's filters, one change at a time.</summary>
    private async Task ApplyFilterChangesAsync(OpenFlowConnection connection, CancellationToken cancellationToken)
    {
        await foreach (var (filter, added) in _filterChanges.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (added)
            {
                ulong cookie;
                lock (_filterCookies)
                {
                    if (_filterCookies.ContainsKey(filter))
                    {
                        continue;
                    }

                    cookie = FilterCookiePrefix | ++_nextFilter;
                    _filterCookies[filter] = cookie;
                }

                foreach (var flow in FilterFlows(filter.Filter, cookie, connection.NextXid))
                {
                    await connection.SendAsync(flow, cancellationToken).ConfigureAwait(false);
                }

                Log.FilterAdded(_logger, filter.Module, filter.Filter);
            }
            else
            {
                ulong cookie;
                lock (_filterCookies)
                {
                    if (!_filterCookies.Remove(filter, out cookie))
                    {
                        continue;
                    }
                }

                lock (_steered)
                {
                    foreach (var flow in _steered.Where(f => f.Value.Cookie == cookie).Select(f => f.Key).ToArray())
                    {
                        _steered.Remove(flow);
                    }
                }

                // Every flow of the filter, whatever its table: the one to the controller and those to the node.
                await connection.SendAsync(
                    new FlowModMessage(connection.NextXid(), FlowModCommand.Delete, OpenFlowMatch.Any)
                    {
                        Cookie = cookie,
                        CookieMask = ulong.MaxValue,
                        TableId = OpenFlowConstants.AllTables,
                    },
                    cancellationToken).ConfigureAwait(false);
                Log.FilterRemoved(_logger, filter.Module, filter.Filter);
            }
        }
    }

    /// <summary>Figure 16 step 2: a filter's packets that do not come from the node come to the controller, one flow per destination prefix.</summary>
    internal static IEnumerable<FlowModMessage> FilterFlows(PacketFilter filter, ulong cookie, Func<uint> nextXid)
    {
        foreach (var destination in filter.Destinations)
        {
            var fields = new List<Oxm> { Oxm.EthType(EthTypeIpv4) };
            if (filter.Protocol != FilterProtocol.Any)
            {
                fields.Add(Oxm.IpProto((byte)filter.Protocol));
            }

            fields.Add(Oxm.Ipv4Dst(destination));
            if (filter.DestinationPort is { } port)
            {
                fields.Add(filter.Protocol == FilterProtocol.Udp ? Oxm.UdpDst((ushort)port) : Oxm.TcpDst((ushort)port));
            }

            yield return new FlowModMessage(nextXid(), FlowModCommand.Add, new OpenFlowMatch([.. fields]))
            {
                Cookie = cookie,
                Priority = FilterToControllerPriority,
                Instructions = [new ApplyActionsInstruction([new OutputAction(OpenFlowPort.Controller, OpenFlowConstants.ControllerNoBuffer)])],
            };
        }
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
        [LoggerMessage(EventId = 3611, Level = LogLevel.Information, Message = "Switch {Peer}: UDP/{SignalingPort} steered through the NetServ nodes (port {NetServPort} first while live), L2 learning in table 1")]
        public static partial void ProactiveFlowsInstalled(ILogger logger, string peer, ushort signalingPort, uint netServPort);

        [LoggerMessage(EventId = 3612, Level = LogLevel.Debug, Message = "Learned {Address} at port {Port}")]
        public static partial void Learned(ILogger logger, EthernetAddress address, uint port);

        [LoggerMessage(EventId = 3613, Level = LogLevel.Warning, Message = "Switch {Peer} reported {Error}")]
        public static partial void SwitchError(ILogger logger, string peer, string error);

        [LoggerMessage(EventId = 3614, Level = LogLevel.Information, Message = "Steering the filter of {Module} ({Filter}) through the NetServ node")]
        public static partial void FilterAdded(ILogger logger, string module, PacketFilter filter);

        [LoggerMessage(EventId = 3615, Level = LogLevel.Information, Message = "The filter of {Module} ({Filter}) is gone; its flows are deleted")]
        public static partial void FilterRemoved(ILogger logger, string module, PacketFilter filter);

        [LoggerMessage(EventId = 3616, Level = LogLevel.Debug, Message = "Flow {Source} to {Destination} steered to port {Port}")]
        public static partial void Steered(ILogger logger, Ipv4Address source, Ipv4Address destination, uint port);

        [LoggerMessage(EventId = 3617, Level = LogLevel.Information, Message = "Switch {Peer}: flows left by an earlier controller deleted")]
        public static partial void EarlierFlowsDeleted(ILogger logger, string peer);

        [LoggerMessage(EventId = 3618, Level = LogLevel.Warning, Message = "NetServ node at port {Port} is down; {Flows} flows steered to it are moved, and signaling skips it")]
        public static partial void NodeDown(ILogger logger, uint port, int flows);

        [LoggerMessage(EventId = 3619, Level = LogLevel.Information, Message = "NetServ node at port {Port} is live; {Flows} flows (those that prefer it, and those that bypassed the nodes) are steered anew")]
        public static partial void NodeUp(ILogger logger, uint port, int flows);

        [LoggerMessage(EventId = 3620, Level = LogLevel.Warning, Message = "Flow {Source} to {Destination} forwarded without a NetServ node: none is live")]
        public static partial void Bypassed(ILogger logger, Ipv4Address source, Ipv4Address destination);
    }
}
