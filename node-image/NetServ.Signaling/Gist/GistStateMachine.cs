using System.Security.Cryptography;
using NetServ.Networking;

namespace NetServ.Signaling.Gist;

/// <summary>How a <see cref="GistStateMachine"/> behaves.</summary>
internal sealed record GistStateMachineOptions
{
    /// <summary>This node's identity, carried in every Network-Layer-Information (NetServ nodes use their name).</summary>
    public GistBytes PeerIdentity { get; init; }

    /// <summary>The NSLP this node serves; messages of other NSLPs are ignored.</summary>
    public ushort NslpId { get; init; } = GistConstants.NetServNslpId;

    /// <summary>The UDP port this node sends from and receives D-mode messages on (270 on nodes, any port on a client).</summary>
    public ushort DatagramPort { get; init; } = GistConstants.UdpPort;

    /// <summary>The TCP port this node accepts messaging associations on; null for a node that accepts none (a client).</summary>
    public ushort? StreamPort { get; init; } = GistConstants.UdpPort;

    /// <summary>Whether this node answers Queries (a NetServ node) or only sends them (a client such as the netserv CLI).</summary>
    public bool Responder { get; init; } = true;

    /// <summary>How long to wait for the first Response before sending the Query again; doubled on every retry.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many times a Query is sent again before the node concludes no peer is downstream.</summary>
    public int QueryRetries { get; init; } = 2;

    /// <summary>
    /// How many times a Query is sent again instead, when a peer answered a Query toward the same
    /// destination within <see cref="RoutingStateValidity"/>: its silence is then far more likely loss
    /// (a flood filling the input queues on the path) than its absence, and giving up would answer as
    /// the last node on a path that goes on. A destination no peer answered for keeps the quicker
    /// <see cref="QueryRetries"/>, so a last node still learns it is the last as soon as before.
    /// </summary>
    public int KnownPeerQueryRetries { get; init; } = 5;

    /// <summary>The doubling of <see cref="QueryTimeout"/> stops here (RFC 5971's T2), so that many retries fit in a bounded wait on a lossy path.</summary>
    public TimeSpan QueryMaxTimeout { get; init; } = TimeSpan.FromSeconds(64);

    /// <summary>How long routing state lives without a refresh (carried in the Network-Layer-Information).</summary>
    public TimeSpan RoutingStateValidity { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an idle messaging association is kept.</summary>
    public TimeSpan MaHoldTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Messages longer than this go over a messaging association (C-mode) when one can be had.</summary>
    public int MaxDatagramMessage { get; init; } = 1400;

    /// <summary>The local address a peer in the direction of <c>destination</c> reaches this node at.</summary>
    public Func<Ipv4Address, Ipv4Address> LocalAddressFor { get; init; } = _ => Ipv4Address.Any;

    /// <summary>
    /// Whether this node reaches <c>destination</c> without a next-hop router. A NetServ node sets it:
    /// nothing but the end host lies further on such a path, so no Query is sent and the session ends
    /// at once as having no peer downstream. A client leaves it unset (the node it signals to may be on-link).
    /// </summary>
    public Func<Ipv4Address, bool> DestinationOnLink { get; init; } = _ => false;
}

/// <summary>
/// GIST (RFC 5971) for one node, as a state machine without I/O: datagrams, stream messages, NSLP
/// send requests and timer ticks go in; <see cref="GistAction"/>s come out for the transport to
/// carry out. It discovers peers with Query, Response and Confirm, keeps routing state per
/// session and direction as soft state, retransmits Queries with back-off, sends small messages
/// in D-mode and large ones over TCP messaging associations (C-mode), and tells the NSLP when no
/// peer answered downstream — which is how a NetServ node learns it is the last one on the path.
/// Not thread-safe: the transport calls it from one place at a time.
/// </summary>
internal sealed class GistStateMachine
{
    private const byte TcpProfile = 1;

    private readonly GistStateMachineOptions _options;
    private readonly Dictionary<(GistSessionId Session, GistDirection PeerSide), RoutingState> _routes = [];
    private readonly Dictionary<Ipv4Address, Association> _associations = [];
    private readonly Dictionary<int, Association> _streams = [];

    // When a peer last answered a Query of ours toward each destination.
    private readonly Dictionary<Ipv4Address, DateTimeOffset> _answeredToward = [];
    private int _nextStreamId;

    public GistStateMachine(GistStateMachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>The earliest time <see cref="OnTimer"/> has something to do, or null.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? next = null;
            foreach (var state in _routes.Values)
            {
                next = Earliest(next, state.Deadline);
            }

            // Every association, including one a peer opened and never confirmed on.
            foreach (var association in _streams.Values)
            {
                next = Earliest(next, association.LastUsed + _options.MaHoldTime);
            }

            return next;
        }
    }

    /// <summary>How many sessions have routing state (for status and tests).</summary>
    public int RoutingStateCount => _routes.Count;

    /// <summary>The peer of a session in the given direction, if routing state exists.</summary>
    public GistPeer? PeerOf(GistSessionId session, GistDirection peerSide) =>
        _routes.TryGetValue((session, peerSide), out var state) && state.Established ? state.Peer : null;

    /// <summary>A new random session identifier.</summary>
    public static GistSessionId NewSession() => GistSessionId.FromBytes(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The signaling application sends <paramref name="nslpData"/> for <paramref name="session"/>:
    /// downstream it goes in a Query until a peer is known, then in Data; upstream it goes to the
    /// peer the session's Query came from.
    /// </summary>
    public IReadOnlyList<GistAction> Send(GistSessionId session, GistMessageRoutingInformation mri, GistDirection direction, ReadOnlySpan<byte> nslpData, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(mri);
        var actions = new List<GistAction>();
        if (nslpData.Length > GistConstants.MaxObjectContentLength)
        {
            // The message goes in one NSLP-Data object, whose Length counts 32-bit words in 12 bits (RFC 5971 A.2),
            // in D-mode and C-mode alike: the NSLP hears so (B.3's MessageStatus) and must send less.
            actions.Add(new SessionStatusAction(session, GistSessionOutcome.MessageTooLarge, $"the {nslpData.Length}-byte NSLP message is longer than the {GistConstants.MaxObjectContentLength} bytes a GIST message carries"));
            return actions;
        }

        var data = GistNslpData.FromNslpMessage(nslpData);
        if (direction == GistDirection.Upstream)
        {
            if (!_routes.TryGetValue((session, GistDirection.Upstream), out var upstream))
            {
                actions.Add(new SessionStatusAction(session, GistSessionOutcome.NoRoutingState, "no upstream peer for this session"));
                return actions;
            }

            SendData(upstream, data, now, actions);
            return actions;
        }

        if (_routes.TryGetValue((session, GistDirection.Downstream), out var downstream) && downstream.Established)
        {
            SendData(downstream, data, now, actions);
            return actions;
        }

        if (downstream is not null)
        {
            // Discovery is under way: the data follows once the peer answers.
            downstream.Queued.Add(data);
            return actions;
        }

        var destination = MriDestination(mri);
        if (_options.LocalAddressFor(destination) == destination)
        {
            // The flow ends here: there is nobody further downstream to ask.
            actions.Add(new SessionStatusAction(session, GistSessionOutcome.NoPeerFound, $"{destination} is this node's own address"));
            return actions;
        }

        if (_options.DestinationOnLink(destination))
        {
            actions.Add(new SessionStatusAction(session, GistSessionOutcome.NoPeerFound, $"{destination} is on-link: no router, so no further node, lies on the path"));
            return actions;
        }

        var state = new RoutingState(session, mri, GistDirection.Downstream)
        {
            QueryCookie = new GistQueryCookie(RandomNumberGenerator.GetBytes(16)),
            Timeout = _options.QueryTimeout,
        };
        var query = Query(state, data, now);
        if (GistCodec.GetEncodedLength(query, withMagic: true) > _options.MaxDatagramMessage)
        {
            // Too large for Q-mode: discover first, then send the data over the association.
            state.Queued.Add(data);
            query = Query(state, null, now);
        }

        state.PendingQuery = GistCodec.Encode(query, withMagic: true);
        state.Deadline = now + state.Timeout;
        _routes[(session, GistDirection.Downstream)] = state;
        actions.Add(new SendDatagramAction(state.PendingQuery, MriDestination(mri), GistConstants.UdpPort, QueryMode: true));
        return actions;
    }

    /// <summary>Forgets a session's routing state in both directions (the NSLP is done with it).</summary>
    public void Release(GistSessionId session)
    {
        _routes.Remove((session, GistDirection.Downstream));
        _routes.Remove((session, GistDirection.Upstream));
    }

    /// <summary>A UDP datagram arrived: a Q-mode Query intercepted on the path or addressed to us, or a D-mode message.</summary>
    /// <param name="datagram">
    /// The UDP payload. Every GIST datagram begins with the magic number, Q-mode or D-mode (RFC 5971 5.3.2); the C
    /// flag, not the magic number, says which (A.1), and the codec refuses a Query without it or a Response with it.
    /// </param>
    /// <param name="from">The IP source address.</param>
    /// <param name="fromPort">The UDP source port.</param>
    /// <param name="now">The current time.</param>
    public IReadOnlyList<GistAction> OnDatagram(ReadOnlySpan<byte> datagram, Ipv4Address from, ushort fromPort, DateTimeOffset now)
    {
        var actions = new List<GistAction>();
        if (!GistCodec.TryDecode(datagram, withMagic: true, out var message, out var error))
        {
            OnUndecodable(datagram, withMagic: true, $"{from}:{fromPort}", from, error, actions);
            return actions;
        }

        Handle(message, from, fromPort, streamId: null, now, actions);
        return actions;
    }

    /// <summary>A whole GIST message arrived on messaging association <paramref name="streamId"/>.</summary>
    public IReadOnlyList<GistAction> OnStreamMessage(int streamId, ReadOnlySpan<byte> message, DateTimeOffset now)
    {
        var actions = new List<GistAction>();
        if (!_streams.TryGetValue(streamId, out var association))
        {
            actions.Add(new TraceAction($"message on unknown association {streamId}", GistDiscardReason.UnknownAssociation));
            return actions;
        }

        association.LastUsed = now;
        if (!GistCodec.TryDecode(message, withMagic: false, out var decoded, out var error))
        {
            OnUndecodable(message, withMagic: false, $"{association.Address} (C-mode)", association.Address, error, actions);
            return actions;
        }

        if (decoded.CFlag)
        {
            actions.Add(new TraceAction($"dropped a {decoded.MessageType} from {association.Address} that came in C-mode but must be Q-mode encapsulated", GistDiscardReason.WrongEncapsulation));
            return actions;
        }

        Handle(decoded, association.Address, 0, streamId, now, actions);
        return actions;
    }

    /// <summary>The transport accepted a TCP connection from <paramref name="peer"/>; returns the id to report its messages with.</summary>
    public int AcceptStream(Ipv4Address peer, DateTimeOffset now)
    {
        var association = new Association(++_nextStreamId, peer) { LastUsed = now };
        _streams[association.StreamId] = association;
        return association.StreamId;
    }

    /// <summary>A messaging association closed (by the peer, or it failed to connect).</summary>
    public IReadOnlyList<GistAction> OnStreamClosed(int streamId)
    {
        if (_streams.Remove(streamId, out var association) && _associations.TryGetValue(association.Address, out var current) && current == association)
        {
            _associations.Remove(association.Address);
        }

        foreach (var state in _routes.Values.Where(s => s.StreamId == streamId))
        {
            state.StreamId = null;
        }

        return [];
    }

    /// <summary>Timers: Query retransmission, soft-state expiry, idle associations.</summary>
    public IReadOnlyList<GistAction> OnTimer(DateTimeOffset now)
    {
        var actions = new List<GistAction>();
        foreach (var (key, state) in _routes.ToArray())
        {
            if (state.Deadline > now)
            {
                continue;
            }

            if (state.PendingQuery is { } pending)
            {
                var retries = QueryRetriesToward(MriDestination(state.Mri), now);
                if (state.Retries < retries)
                {
                    state.Retries++;
                    state.Timeout = state.Timeout * 2 < _options.QueryMaxTimeout ? state.Timeout * 2 : _options.QueryMaxTimeout;
                    state.Deadline = now + state.Timeout;
                    actions.Add(new TraceAction($"no Response for session {state.Session} yet: Query sent again ({state.Retries} of {retries})"));
                    actions.Add(new SendDatagramAction(pending, MriDestination(state.Mri), GistConstants.UdpPort, QueryMode: true));
                    continue;
                }

                _routes.Remove(key);
                if (state.Established)
                {
                    // A refresh went unanswered: the peer is gone; the state simply expires.
                    continue;
                }

                actions.Add(new SessionStatusAction(state.Session, GistSessionOutcome.NoPeerFound, $"no GIST peer answered {1 + state.Retries} Queries toward {MriDestination(state.Mri)}"));
                continue;
            }

            if (state.KeepAlive && state.PeerSide == GistDirection.Downstream)
            {
                // Soft-state refresh: the querying node re-discovers before the state would expire.
                state.QueryCookie = new GistQueryCookie(RandomNumberGenerator.GetBytes(16));
                state.PendingQuery = GistCodec.Encode(Query(state, null, now), withMagic: true);
                state.Retries = 0;
                state.Timeout = _options.QueryTimeout;
                state.Deadline = now + state.Timeout;
                actions.Add(new SendDatagramAction(state.PendingQuery, MriDestination(state.Mri), GistConstants.UdpPort, QueryMode: true));
                continue;
            }

            _routes.Remove(key);
            actions.Add(new TraceAction($"routing state of session {state.Session} ({state.PeerSide} peer {state.Peer?.Address}) expired"));
        }

        foreach (var (destination, at) in _answeredToward.ToArray())
        {
            if (now - at >= _options.RoutingStateValidity)
            {
                _answeredToward.Remove(destination);
            }
        }

        foreach (var association in _streams.Values.ToArray())
        {
            if (now - association.LastUsed >= _options.MaHoldTime)
            {
                if (_associations.TryGetValue(association.Address, out var current) && current == association)
                {
                    _associations.Remove(association.Address);
                }

                _streams.Remove(association.StreamId);
                actions.Add(new CloseStreamAction(association.StreamId));
            }
        }

        return actions;
    }

    /// <summary>How often a Query toward <paramref name="destination"/> may be sent again: more when a peer answered toward it lately.</summary>
    private int QueryRetriesToward(Ipv4Address destination, DateTimeOffset now) =>
        _answeredToward.TryGetValue(destination, out var at) && now - at < _options.RoutingStateValidity
            ? Math.Max(_options.QueryRetries, _options.KnownPeerQueryRetries)
            : _options.QueryRetries;

    /// <summary>Keeps a session's downstream routing state refreshed (re-Query before it expires) until told otherwise.</summary>
    public void KeepAlive(GistSessionId session, bool keepAlive)
    {
        if (_routes.TryGetValue((session, GistDirection.Downstream), out var state))
        {
            state.KeepAlive = keepAlive;
            if (state.Established && state.PendingQuery is null)
            {
                // Off again, the state lives out its validity rather than expiring at the refresh time.
                state.Deadline = keepAlive ? state.Expires - (_options.RoutingStateValidity / 2) : state.Expires;
            }
        }
    }

    /// <summary>
    /// A message that does not decode is dropped, unless it is a peer's Error: then its error code still reaches
    /// the sessions it concerns, and the fault in it is logged.
    /// </summary>
    private void OnUndecodable(ReadOnlySpan<byte> bytes, bool withMagic, string source, Ipv4Address from, GistError error, List<GistAction> actions)
    {
        if (GistCodec.TryReadErrorCode(bytes, withMagic, out var code, out var session))
        {
            actions.Add(new TraceAction($"the GIST Error message from {source} is malformed ({error.Reason}); its error code is taken all the same", PeerFault: true));
            OnError(from, session, nli: null, code, actions);
            return;
        }

        actions.Add(new TraceAction($"dropped a malformed {(withMagic ? "datagram" : "message")} from {source}: {error.Reason}", GistDiscardReason.Malformed));
    }

    private void Handle(GistMessage message, Ipv4Address from, ushort fromPort, int? streamId, DateTimeOffset now, List<GistAction> actions)
    {
        // An Error or an MA-Hello concerns the peer or the association, not one NSLP: peers send them with NSLPID 0.
        if (message.NslpId != _options.NslpId && message is not (GistErrorMessage or GistMaHello))
        {
            actions.Add(new TraceAction($"ignored a message for NSLPID {message.NslpId} from {from}"));
            return;
        }

        switch (message)
        {
            case GistQuery query:
                OnQuery(query, from, fromPort, now, actions);
                break;
            case GistResponse response:
                OnResponse(response, from, fromPort, now, actions);
                break;
            case GistConfirm confirm:
                OnConfirm(confirm, from, streamId, now, actions);
                break;
            case GistData data:
                OnData(data, from, fromPort, streamId, now, actions);
                break;
            case GistErrorMessage error:
                OnError(from, error.ErrorObject.SessionId, error.Nli, error.ErrorObject.RfcError, actions);
                break;
            case GistMaHello hello when hello.ResponseRequested && streamId is { } id:
                actions.Add(new SendStreamAction(id, GistCodec.Encode(new GistMaHello(hello.HelloId) { NslpId = _options.NslpId, SourceAddressing = true })));
                break;
        }
    }

    /// <summary>
    /// A peer's Error reaches the sessions it concerns: the one it names (its S flag), or else every session whose
    /// peer sent it and every discovery under way, for the node that refused a Query is not a known peer yet.
    /// </summary>
    private void OnError(Ipv4Address from, GistSessionId? session, GistNetworkLayerInformation? nli, GistRfcError code, List<GistAction> actions)
    {
        var concerned = _routes.Values.Where(s => (session is null || s.Session == session)
            && (s.Peer?.Address == from || (s.PendingQuery is not null && (nli is null || nli.InterfaceAddress == from))));
        foreach (var state in concerned.ToArray())
        {
            actions.Add(new SessionStatusAction(
                state.Session,
                GistSessionOutcome.PeerError,
                $"{from} answered with GIST error class {code.Class} code {code.Code} subcode {code.Subcode}",
                code));
        }
    }

    private void OnQuery(GistQuery query, Ipv4Address from, ushort fromPort, DateTimeOffset now, List<GistAction> actions)
    {
        if (!_options.Responder)
        {
            actions.Add(new TraceAction($"ignored a Query from {from}: this endpoint does not answer Queries"));
            return;
        }

        if (query.Nli.InterfaceAddress == _options.LocalAddressFor(query.Nli.InterfaceAddress) && query.Nli.PeerIdentity == _options.PeerIdentity)
        {
            actions.Add(new TraceAction($"ignored our own Query for session {query.SessionId}"));
            return;
        }

        var key = (query.SessionId, GistDirection.Upstream);
        var peer = new GistPeer(query.Nli.InterfaceAddress == Ipv4Address.Any ? from : query.Nli.InterfaceAddress, fromPort, query.Nli.PeerIdentity, TcpPortOf(query.StackConfiguration));
        var duplicate = _routes.TryGetValue(key, out var existing) && existing.QueryCookie == query.QueryCookie;
        var state = duplicate ? existing! : new RoutingState(query.SessionId, query.Mri, GistDirection.Upstream)
        {
            QueryCookie = query.QueryCookie,
            ResponderCookie = new GistResponderCookie(RandomNumberGenerator.GetBytes(16)),
        };
        state.Peer = peer;
        state.Established = true;
        var validity = query.Nli.RoutingStateValidityTime > 0 ? TimeSpan.FromMilliseconds(query.Nli.RoutingStateValidityTime) : _options.RoutingStateValidity;
        state.Expires = now + validity;
        state.Deadline = state.Expires;
        _routes[key] = state;

        // The MRI's D flag gives the message's direction relative to the flow (RFC 5971 A.3.1.1): the Response
        // goes back the way the Query came.
        var response = new GistResponse(Inverted(query.Mri), query.SessionId, Nli(peer.Address), query.QueryCookie)
        {
            NslpId = _options.NslpId,
            SourceAddressing = true,
            ResponderCookie = state.ResponderCookie,
            StackProposal = _options.StreamPort is null ? null : TcpProposal(),
            StackConfiguration = _options.StreamPort is { } port ? TcpConfiguration(port) : null,
            ResponseRequested = true,
        };
        actions.Add(new SendDatagramAction(GistCodec.Encode(response, withMagic: true), peer.Address, fromPort, QueryMode: false));

        // A retransmitted Query is answered again, but its NSLP message is delivered once.
        if (!duplicate && query.NslpData is { } data)
        {
            actions.Add(new DeliverAction(query.SessionId, query.Mri, GistDirection.Downstream, data.Payload.Span.ToArray(), peer));
        }
    }

    private void OnResponse(GistResponse response, Ipv4Address from, ushort fromPort, DateTimeOffset now, List<GistAction> actions)
    {
        if (!_routes.TryGetValue((response.SessionId, GistDirection.Downstream), out var state) || state.QueryCookie != response.QueryCookie)
        {
            actions.Add(new TraceAction($"ignored a Response for session {response.SessionId} that answers no Query of ours"));
            return;
        }

        var peer = new GistPeer(response.Nli.InterfaceAddress == Ipv4Address.Any ? from : response.Nli.InterfaceAddress, fromPort, response.Nli.PeerIdentity, TcpPortOf(response.StackConfiguration));
        state.Peer = peer;
        state.Established = true;
        state.PendingQuery = null;
        _answeredToward[MriDestination(state.Mri)] = now;
        var validity = response.Nli.RoutingStateValidityTime > 0 ? TimeSpan.FromMilliseconds(response.Nli.RoutingStateValidityTime) : _options.RoutingStateValidity;
        state.Expires = now + validity;
        state.Deadline = state.KeepAlive ? now + (validity / 2) : state.Expires;

        if (response.ResponseRequested)
        {
            // With a TCP port offered, the Confirm opens the messaging association (RFC 5971 4.4.1) and echoes the
            // Responder's Stack-Proposal unchanged, so that the Responder sees no one bid its offer down (8.6).
            // Stack-Configuration-Data goes with it (5.1: [ Stack-Proposal [ Stack-Configuration-Data ] ]),
            // carrying our MA-Hold-Time; the MA-protocol-options were the Responder's to give.
            var opensAssociation = peer.StreamPort is not null && response.ResponderCookie is not null && response.StackProposal is not null;
            var confirm = new GistConfirm(state.Mri, state.Session, Nli(peer.Address))
            {
                NslpId = _options.NslpId,
                SourceAddressing = true,
                ResponderCookie = response.ResponderCookie,
                StackProposal = opensAssociation ? response.StackProposal : null,
                StackConfiguration = opensAssociation ? new GistStackConfigurationData { MaHoldTime = (uint)_options.MaHoldTime.TotalMilliseconds } : null,
            };

            if (opensAssociation)
            {
                var association = AssociationTo(peer.Address, peer.StreamPort!.Value, now, actions);
                state.StreamId = association.StreamId;
                actions.Add(new SendStreamAction(association.StreamId, GistCodec.Encode(confirm)));
            }
            else
            {
                actions.Add(new SendDatagramAction(GistCodec.Encode(confirm, withMagic: true), peer.Address, fromPort, QueryMode: false));
            }
        }

        foreach (var queued in state.Queued)
        {
            SendData(state, queued, now, actions);
        }

        state.Queued.Clear();
        if (response.NslpData is { } data)
        {
            actions.Add(new DeliverAction(state.Session, state.Mri, GistDirection.Upstream, data.Payload.Span.ToArray(), peer));
        }
    }

    private void OnConfirm(GistConfirm confirm, Ipv4Address from, int? streamId, DateTimeOffset now, List<GistAction> actions)
    {
        if (!_routes.TryGetValue((confirm.SessionId, GistDirection.Upstream), out var state) || state.ResponderCookie != confirm.ResponderCookie)
        {
            return;
        }

        // A Confirm that opens a messaging association echoes the Stack-Proposal of our Response, and we check
        // the echo: an attacker who bid our offer down on the way would show here (RFC 5971 4.4.1, 8.6).
        if (EchoMismatch(confirm, streamId) is { } mismatch)
        {
            actions.Add(new TraceAction($"refused a Confirm for session {confirm.SessionId} from {from}: {mismatch} (RFC 5971 8.6)", GistDiscardReason.RefusedConfirm, PeerFault: true));
            return;
        }

        state.Expires = now + _options.RoutingStateValidity;
        state.Deadline = state.Expires;
        if (streamId is { } id && _streams.TryGetValue(id, out var association))
        {
            // The querying node opened this association: use it for messages back to it.
            _associations[from] = association;
            state.StreamId = id;
        }
    }

    private string? EchoMismatch(GistConfirm confirm, int? streamId)
    {
        var offered = _options.StreamPort is null ? null : TcpProposal();
        if (confirm.StackProposal is { } echoed)
        {
            return offered is null ? "it echoes a Stack-Proposal we never made"
                : echoed == offered ? null
                : "its echoed Stack-Proposal differs from the one our Response made";
        }

        return streamId is not null && offered is not null ? "it opens a messaging association without echoing our Stack-Proposal" : null;
    }

    private void OnData(GistData data, Ipv4Address from, ushort fromPort, int? streamId, DateTimeOffset now, List<GistAction> actions)
    {
        // Data from our downstream peer travels upstream, and the other way round.
        // The NSLP gets the flow as it gave it or first saw it, whichever way the D flag of this message points.
        if (_routes.TryGetValue((data.SessionId, GistDirection.Downstream), out var downstream) && downstream.Peer?.Address == from)
        {
            downstream.Expires = Later(downstream.Expires, now + _options.RoutingStateValidity);
            actions.Add(new DeliverAction(data.SessionId, downstream.Mri, GistDirection.Upstream, data.NslpData.Payload.Span.ToArray(), downstream.Peer));
            return;
        }

        if (_routes.TryGetValue((data.SessionId, GistDirection.Upstream), out var upstream) && upstream.Peer?.Address == from)
        {
            actions.Add(new DeliverAction(data.SessionId, upstream.Mri, GistDirection.Downstream, data.NslpData.Payload.Span.ToArray(), upstream.Peer));
            return;
        }

        var peer = new GistPeer(data.Nli?.InterfaceAddress ?? from, fromPort, data.Nli?.PeerIdentity ?? default, null);
        actions.Add(new TraceAction($"Data for session {data.SessionId} from {from} without routing state ({(streamId is null ? "D-mode" : "C-mode")}); delivered as it came"));
        actions.Add(new DeliverAction(data.SessionId, data.Mri, data.Mri is GistPathCoupledMri { Upstream: true } ? GistDirection.Upstream : GistDirection.Downstream, data.NslpData.Payload.Span.ToArray(), peer));
    }

    private void SendData(RoutingState state, GistNslpData data, DateTimeOffset now, List<GistAction> actions)
    {
        var peer = state.Peer!;
        // Toward a peer that queried us, Data runs against the flow: D set (RFC 5971 A.3.1.1).
        var mri = state.PeerSide == GistDirection.Upstream ? Inverted(state.Mri) : state.Mri;
        var message = new GistData(mri, state.Session, data) { NslpId = _options.NslpId, SourceAddressing = true, Nli = Nli(peer.Address) };
        if (GistCodec.GetEncodedLength(message, withMagic: true) <= _options.MaxDatagramMessage)
        {
            actions.Add(new SendDatagramAction(GistCodec.Encode(message, withMagic: true), peer.Address, peer.DatagramPort, QueryMode: false));
            return;
        }

        var bytes = GistCodec.Encode(message);

        // C-mode: an association the peer opened, one we have, or a new one to the port it offered.
        Association? association = null;
        if (state.StreamId is { } id && _streams.TryGetValue(id, out var byState))
        {
            association = byState;
        }
        else if (_associations.TryGetValue(peer.Address, out var byAddress))
        {
            association = byAddress;
        }

        // Either side closes an association that has been idle for the hold time. One idle for half
        // of it may be closing at the other end while our message is on its way: use a fresh one.
        if (association is not null && now - association.LastUsed >= _options.MaHoldTime / 2 && peer.StreamPort is { } freshPort)
        {
            actions.Add(new TraceAction($"association to {peer.Address} idle since {association.LastUsed:O}: opening a fresh one"));
            if (_associations.TryGetValue(peer.Address, out var current) && current == association)
            {
                _associations.Remove(peer.Address);
            }

            association = AssociationTo(peer.Address, freshPort, now, actions);
            state.StreamId = association.StreamId;
        }
        else if (association is null && peer.StreamPort is { } port)
        {
            association = AssociationTo(peer.Address, port, now, actions);
        }

        if (association is null)
        {
            // The peer offers no association: a large datagram (IP fragments) is the only way left.
            actions.Add(new TraceAction($"{bytes.Length}-byte message to {peer.Address} goes in D-mode: the peer offers no messaging association"));
            actions.Add(new SendDatagramAction(GistCodec.Encode(message, withMagic: true), peer.Address, peer.DatagramPort, QueryMode: false));
            return;
        }

        association.LastUsed = now;
        actions.Add(new SendStreamAction(association.StreamId, bytes));
    }

    private Association AssociationTo(Ipv4Address address, ushort port, DateTimeOffset now, List<GistAction> actions)
    {
        if (_associations.TryGetValue(address, out var existing))
        {
            existing.LastUsed = now;
            return existing;
        }

        var association = new Association(++_nextStreamId, address) { LastUsed = now };
        _associations[address] = association;
        _streams[association.StreamId] = association;
        actions.Add(new OpenStreamAction(association.StreamId, address, port));
        return association;
    }

    private GistQuery Query(RoutingState state, GistNslpData? data, DateTimeOffset now) =>
        new(state.Mri, state.Session, Nli(MriDestination(state.Mri)), state.QueryCookie!)
        {
            NslpId = _options.NslpId,
            // We send from our own address, which is the signalling source (RFC 5971 A.1: S=1).
            SourceAddressing = true,
            // We can open a TCP association to the responder; a node that accepts them says where, so
            // the responder could reach it in C-mode too.
            StackProposal = TcpProposal(),
            StackConfiguration = _options.StreamPort is { } port ? TcpConfiguration(port) : new GistStackConfigurationData { MaHoldTime = (uint)_options.MaHoldTime.TotalMilliseconds },
            NslpData = data,
        };

    private GistNetworkLayerInformation Nli(Ipv4Address toward) => new()
    {
        PeerIdentity = _options.PeerIdentity,
        IpTtl = 64,
        RoutingStateValidityTime = (uint)_options.RoutingStateValidity.TotalMilliseconds,
        InterfaceAddress = _options.LocalAddressFor(toward),
    };

    private GistStackConfigurationData TcpConfiguration(ushort port) => new()
    {
        MaHoldTime = (uint)_options.MaHoldTime.TotalMilliseconds,
        Options = EquatableArray.Create<GistMaProtocolOption>([GistMaProtocolOption.ForwardsTcpPort(TcpProfile, port)]),
    };

    private static GistStackProposal TcpProposal() =>
        new(EquatableArray.Create<GistStackProfile>([new GistStackProfile(EquatableArray.Create<byte>([GistMaProtocolId.ForwardsTcp]))]));

    private static ushort? TcpPortOf(GistStackConfigurationData? configuration)
    {
        if (configuration is null)
        {
            return null;
        }

        foreach (var option in configuration.Options.AsSpan())
        {
            if (option.ProtocolId == GistMaProtocolId.ForwardsTcp && option.TryGetTcpPort(out var port) && port != 0)
            {
                return port;
            }
        }

        return null;
    }

    private static Ipv4Address MriDestination(GistMessageRoutingInformation mri) => mri switch
    {
        GistPathCoupledMri { Upstream: false } path => path.DestinationAddress,
        GistPathCoupledMri path => path.SourceAddress,
        GistLooseEndMri { Upstream: false } loose => loose.DestinationAddress,
        GistLooseEndMri loose => loose.SourceAddress,
        _ => Ipv4Address.Any,
    };

    /// <summary>The same flow with the D flag turned: for a message that travels the other way (RFC 5971 A.3.1.1).</summary>
    private static GistMessageRoutingInformation Inverted(GistMessageRoutingInformation mri) => mri switch
    {
        GistPathCoupledMri path => path.Reversed(),
        GistLooseEndMri loose => loose with { Upstream = !loose.Upstream },
        _ => mri,
    };

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed class RoutingState(GistSessionId session, GistMessageRoutingInformation mri, GistDirection peerSide)
    {
        public GistSessionId Session { get; } = session;

        public GistMessageRoutingInformation Mri { get; } = mri;

        /// <summary>Which side of us the peer is on: Downstream for peers we queried, Upstream for peers that queried us.</summary>
        public GistDirection PeerSide { get; } = peerSide;

        public GistPeer? Peer { get; set; }

        public bool Established { get; set; }

        public GistQueryCookie? QueryCookie { get; set; }

        public GistResponderCookie? ResponderCookie { get; set; }

        /// <summary>The encoded Query awaiting its Response, for retransmission.</summary>
        public byte[]? PendingQuery { get; set; }

        public int Retries { get; set; }

        public TimeSpan Timeout { get; set; }

        public DateTimeOffset Expires { get; set; }

        /// <summary>When <see cref="OnTimer"/> next has to look at this state.</summary>
        public DateTimeOffset Deadline { get; set; }

        public bool KeepAlive { get; set; }

        public int? StreamId { get; set; }

        public List<GistNslpData> Queued { get; } = [];
    }

    private sealed class Association(int streamId, Ipv4Address address)
    {
        public int StreamId { get; } = streamId;

        public Ipv4Address Address { get; } = address;

        public DateTimeOffset LastUsed { get; set; }
    }
}
