// An in-memory network that carries out the actions of GIST state machines, for tests that need more than one node.
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NetServ.Networking;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Tests.Gist;

/// <summary>
/// Hops on one path, some running a <see cref="GistStateMachine"/>, with a fake clock. Q-mode Queries are
/// intercepted by the first responder between the sender and the Query's destination (what the Router Alert
/// option does: plain routers and end hosts run nothing, so a Query that reaches the destination is lost);
/// other datagrams go to the machine with their address and port; associations are pairs of stream ids, one
/// per end. Everything happens at once: delivery takes no time, and the clock only moves in
/// <see cref="RunUntil"/>. What went astray is kept in <see cref="Misdelivered"/> and
/// <see cref="QueriesLost"/> for the tests to look at.
/// </summary>
internal sealed class GistTestNetwork
{
    public const ushort ClientPort = 40000;

    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<GistTestHop> _path = [];
    private readonly Dictionary<(GistTestHop Hop, int StreamId), (GistTestHop Hop, int StreamId)> _ends = [];
    private readonly HashSet<(GistTestHop Hop, int StreamId)> _failed = [];
    private readonly Queue<Action> _work = new();
    private bool _draining;

    public FakeTimeProvider Clock { get; } = new(Start);

    public DateTimeOffset Now => Clock.GetUtcNow();

    public IReadOnlyList<GistTestHop> Path => _path;

    /// <summary>D-mode datagrams to an address or port nobody listens on, and stream messages on no association: never expected.</summary>
    public List<string> Misdelivered { get; } = [];

    /// <summary>Q-mode Queries no responder intercepted before their destination.</summary>
    public List<(GistTestHop Sender, SendDatagramAction Query)> QueriesLost { get; } = [];

    /// <summary>Every association a machine asked for and got.</summary>
    public List<GistTestStream> Streams { get; } = [];

    /// <summary>Associations a machine asked for and did not get.</summary>
    public List<(GistTestHop Caller, OpenStreamAction Open)> FailedOpens { get; } = [];

    /// <summary>Messages sent on an association that failed to connect: the transport drops them.</summary>
    public List<(GistTestHop Sender, SendStreamAction Send)> DroppedWithFailedAssociations { get; } = [];

    /// <summary>When it returns true for a datagram a hop sends, the datagram is lost on the way (a full input queue).</summary>
    public Func<GistTestHop, SendDatagramAction, bool> Loses { get; set; } = (_, _) => false;

    /// <summary>Datagrams <see cref="Loses"/> took, by their sender.</summary>
    public List<(GistTestHop Sender, SendDatagramAction Datagram)> Lost { get; } = [];

    /// <summary>Associations closed, by the end that closed them.</summary>
    public List<(DateTimeOffset At, GistTestHop Closer, GistTestStream Stream)> Closed { get; } = [];

    /// <summary>
    /// The path of the tests: client P, node A, a plain router, node B, and the end host U the flow goes to.
    /// <paramref name="tune"/> adjusts the options of every machine (timeouts, sizes).
    /// </summary>
    public static GistTestNetwork ClientTwoNodesAndHost(Func<GistStateMachineOptions, GistStateMachineOptions>? tune = null)
    {
        tune ??= options => options;
        var network = new GistTestNetwork();
        network.Add("P", "198.18.0.2", tune(ClientOptions("P", Ipv4Address.Parse("198.18.0.2"))));
        network.Add("A", "198.18.1.1", tune(NodeOptions("A", Ipv4Address.Parse("198.18.1.1"))));
        network.Add("R", "198.18.2.1", null);
        network.Add("B", "198.18.3.1", tune(NodeOptions("B", Ipv4Address.Parse("198.18.3.1"))));
        network.Add("U", "198.18.4.2", null);
        return network;
    }

    /// <summary>A NetServ node: answers Queries on UDP 270, accepts associations on TCP 270, short timers for fake time.</summary>
    public static GistStateMachineOptions NodeOptions(string name, Ipv4Address address) => new()
    {
        PeerIdentity = Encoding.UTF8.GetBytes(name),
        LocalAddressFor = _ => address,
        QueryTimeout = TimeSpan.FromMilliseconds(200),
        QueryRetries = 2,
        RoutingStateValidity = TimeSpan.FromSeconds(10),
        MaHoldTime = TimeSpan.FromSeconds(30),
    };

    /// <summary>A client such as the netserv CLI: sends Queries from an ordinary port, answers none, accepts no association.</summary>
    public static GistStateMachineOptions ClientOptions(string name, Ipv4Address address) => NodeOptions(name, address) with
    {
        Responder = false,
        StreamPort = null,
        DatagramPort = ClientPort,
    };

    public GistTestHop this[string name] => _path.Single(hop => hop.Name == name);

    public GistTestHop Add(string name, string address, GistStateMachineOptions? options)
    {
        var hop = new GistTestHop(name, Ipv4Address.Parse(address), options);
        _path.Add(hop);
        return hop;
    }

    /// <summary>The NSLP of <paramref name="hop"/> sends a message now.</summary>
    public void Send(GistTestHop hop, GistSessionId session, GistMessageRoutingInformation mri, GistDirection direction, ReadOnlySpan<byte> nslpData) =>
        Execute(hop, hop.Machine.Send(session, mri, direction, nslpData, Now));

    /// <summary>A datagram from outside the simulation (a malformed one, a stray Response) reaches <paramref name="hop"/> now.</summary>
    public void Inject(GistTestHop hop, byte[] datagram, Ipv4Address from, ushort fromPort) =>
        Execute(hop, hop.Machine.OnDatagram(datagram, from, fromPort, Now));

    /// <summary>Moves the clock to <paramref name="end"/>, running every timer that falls due on the way, at its time.</summary>
    public void RunUntil(DateTimeOffset end)
    {
        for (var round = 0; ; round++)
        {
            if (round > 100_000)
            {
                throw new InvalidOperationException("the timers do not settle: a deadline that never moves?");
            }

            var due = _path.Where(hop => hop.HasMachine && hop.Machine.NextDeadline is { } d && d <= end)
                .Select(hop => hop.Machine.NextDeadline!.Value)
                .DefaultIfEmpty(DateTimeOffset.MaxValue)
                .Min();
            if (due == DateTimeOffset.MaxValue)
            {
                break;
            }

            if (due > Now)
            {
                Clock.SetUtcNow(due);
            }

            foreach (var hop in _path.Where(hop => hop.HasMachine && hop.Machine.NextDeadline <= Now))
            {
                Execute(hop, hop.Machine.OnTimer(Now));
            }
        }

        if (end > Now)
        {
            Clock.SetUtcNow(end);
        }
    }

    public void RunFor(TimeSpan duration) => RunUntil(Now + duration);

    /// <summary>The association <paramref name="caller"/> opened to <paramref name="callee"/>, if one is open.</summary>
    public GistTestStream? OpenStreamBetween(GistTestHop caller, GistTestHop callee) =>
        Streams.LastOrDefault(s => s.Caller == caller && s.Callee == callee && _ends.ContainsKey((caller, s.CallerId)));

    private void Execute(GistTestHop source, IReadOnlyList<GistAction> actions)
    {
        foreach (var action in actions)
        {
            source.Emitted.Add((Now, action));
            _work.Enqueue(() => Carry(source, action));
        }

        if (_draining)
        {
            return;
        }

        _draining = true;
        try
        {
            while (_work.TryDequeue(out var next))
            {
                next();
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private void Carry(GistTestHop source, GistAction action)
    {
        switch (action)
        {
            case SendDatagramAction lost when Loses(source, lost):
                Lost.Add((source, lost));
                break;
            case SendDatagramAction { QueryMode: true } query:
                Intercept(source, query);
                break;
            case SendDatagramAction datagram:
                var target = _path.FirstOrDefault(hop => hop.Address == datagram.Address);
                if (target is null || !target.HasMachine || target.Options.DatagramPort != datagram.Port)
                {
                    Misdelivered.Add($"{source.Name} sent a datagram to {datagram.Address}:{datagram.Port}, where nobody listens");
                    break;
                }

                Execute(target, target.Machine.OnDatagram(datagram.Datagram, source.Address, source.Options.DatagramPort, Now));
                break;
            case OpenStreamAction open:
                var callee = _path.FirstOrDefault(hop => hop.Address == open.Address && hop.HasMachine && hop.Options.StreamPort == open.Port && !hop.RefusesStreams);
                if (callee is null)
                {
                    FailedOpens.Add((source, open));
                    _failed.Add((source, open.StreamId));
                    Execute(source, source.Machine.OnStreamClosed(open.StreamId));
                    break;
                }

                var calleeId = callee.Machine.AcceptStream(source.Address, Now);
                _ends[(source, open.StreamId)] = (callee, calleeId);
                _ends[(callee, calleeId)] = (source, open.StreamId);
                Streams.Add(new GistTestStream(source, open.StreamId, callee, calleeId));
                break;
            case SendStreamAction send when _failed.Contains((source, send.StreamId)):
                DroppedWithFailedAssociations.Add((source, send));
                break;
            case SendStreamAction send:
                if (!_ends.TryGetValue((source, send.StreamId), out var other))
                {
                    Misdelivered.Add($"{source.Name} sent a message on association {send.StreamId}, which is not open");
                    break;
                }

                Execute(other.Hop, other.Hop.Machine.OnStreamMessage(other.StreamId, send.Message, Now));
                break;
            case CloseStreamAction close:
                if (_ends.Remove((source, close.StreamId), out var far))
                {
                    _ends.Remove(far);
                    Closed.Add((Now, source, Streams.Last(s => (s.Caller == source && s.CallerId == close.StreamId) || (s.Callee == source && s.CalleeId == close.StreamId))));
                    Execute(far.Hop, far.Hop.Machine.OnStreamClosed(far.StreamId));
                }

                break;
        }
    }

    private void Intercept(GistTestHop source, SendDatagramAction query)
    {
        var from = _path.IndexOf(source);
        var to = _path.FindIndex(hop => hop.Address == query.Address);
        if (to < 0 || to == from)
        {
            QueriesLost.Add((source, query));
            return;
        }

        var step = to > from ? 1 : -1;
        for (var i = from + step; i != to + step; i += step)
        {
            var hop = _path[i];
            if (hop.HasMachine && hop.Options.Responder)
            {
                Execute(hop, hop.Machine.OnDatagram(query.Datagram, source.Address, source.Options.DatagramPort, Now));
                return;
            }
        }

        QueriesLost.Add((source, query));
    }
}

/// <summary>One hop of a <see cref="GistTestNetwork"/>: a GIST machine, or a router or host that runs none.</summary>
internal sealed class GistTestHop
{
    private readonly GistStateMachine? _machine;
    private readonly GistStateMachineOptions? _options;

    public GistTestHop(string name, Ipv4Address address, GistStateMachineOptions? options)
    {
        Name = name;
        Address = address;
        _options = options;
        _machine = options is null ? null : new GistStateMachine(options);
    }

    public string Name { get; }

    public Ipv4Address Address { get; }

    public bool HasMachine => _machine is not null;

    public GistStateMachine Machine => _machine ?? throw new InvalidOperationException($"{Name} runs no GIST");

    public GistStateMachineOptions Options => _options ?? throw new InvalidOperationException($"{Name} runs no GIST");

    /// <summary>Connections to this hop fail (a firewall in the way, say).</summary>
    public bool RefusesStreams { get; set; }

    /// <summary>Everything the machine asked for, with the time it asked.</summary>
    public List<(DateTimeOffset At, GistAction Action)> Emitted { get; } = [];

    public IEnumerable<DeliverAction> Delivered => Emitted.Select(e => e.Action).OfType<DeliverAction>();

    public IEnumerable<(DateTimeOffset At, SessionStatusAction Status)> Statuses =>
        Emitted.Where(e => e.Action is SessionStatusAction).Select(e => (e.At, (SessionStatusAction)e.Action));

    public IEnumerable<string> Traces => Emitted.Select(e => e.Action).OfType<TraceAction>().Select(t => t.Text);

    /// <summary>The Q-mode Queries this hop sent, with their times.</summary>
    public IEnumerable<(DateTimeOffset At, SendDatagramAction Query)> Queries =>
        Emitted.Where(e => e.Action is SendDatagramAction { QueryMode: true }).Select(e => (e.At, (SendDatagramAction)e.Action));

    public override string ToString() => $"{Name} ({Address})";
}

/// <summary>An association: the id each end knows it by.</summary>
internal sealed record GistTestStream(GistTestHop Caller, int CallerId, GistTestHop Callee, int CalleeId);
