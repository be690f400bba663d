using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetServ.Networking;
using NetServ.Contracts.Configuration;
using NetServ.Node.Signaling;
using NetServ.Node.Signaling.Routing;
using NetServ.Node.Tests.Control;
using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;
using NetServ.Signaling.Security;

namespace NetServ.Node.Tests.Signaling;

/// <summary>
/// A <see cref="SignalingService"/> on node-a over fakes: GIST in memory (<see cref="FakeSignalingTransport"/>),
/// the controller of a <see cref="ControlRig"/>, routes the test chooses, a fake clock. The test plays the
/// upstream peer (P, the client) and the downstream one (node-b) by pushing deliveries in.
/// </summary>
internal sealed class SignalingRig : IAsyncDisposable
{
    public static readonly Ipv4Address Sender = Ipv4Address.Parse("198.18.0.2");
    public static readonly Ipv4Address Destination = Ipv4Address.Parse("198.18.4.2");
    public static readonly GistPathCoupledMri Flow = new() { SourceAddress = Sender, DestinationAddress = Destination };
    public static readonly GistPeer Upstream = new(Sender, 40000, "P"u8.ToArray(), null);
    public static readonly GistPeer Downstream = new(Ipv4Address.Parse("198.18.3.1"), 270, "node-b"u8.ToArray(), 270);

    private readonly UserPrivateKey _aliceKey;

    private SignalingRig(ControlRig control, NodeConfiguration settings, UserPrivateKey aliceKey)
    {
        Control = control;
        Settings = settings;
        _aliceKey = aliceKey;
        var options = Options.Create(settings);
        Service = new SignalingService(options, control.Controller, new RequestAuthenticator(options, Time), Routes, Statistics, Transport, Time, NullLogger<SignalingService>.Instance);
    }

    public ControlRig Control { get; }

    /// <summary>The counters the service keeps for the node's status.</summary>
    public SignalingStatistics Statistics { get; } = new();

    public NodeConfiguration Settings { get; }

    public FakeTimeProvider Time => Control.Time;

    public FakeSignalingTransport Transport { get; } = new();

    public FakeRouteLookup Routes { get; } = new();

    public SignalingService Service { get; }

    /// <summary>A service built with node-a's settings (signaling on, alice's public key configured), not yet started.</summary>
    public static async Task<SignalingRig> CreateAsync(Action<SignalingConfiguration>? configure = null)
    {
        var control = await ControlRig.StartAsync();
        var key = UserPrivateKey.Generate(UserKeyAlgorithm.Ed25519);
        var settings = ControlRig.DefaultSettings();
        settings.Signaling.Enabled = true;
        settings.Users[0].PublicKey = key.PublicKey.ToPem();
        configure?.Invoke(settings.Signaling);
        return new SignalingRig(control, settings, key);
    }

    /// <summary>A started service.</summary>
    public static async Task<SignalingRig> StartAsync(Action<SignalingConfiguration>? configure = null)
    {
        var rig = await CreateAsync(configure);
        await rig.Service.StartAsync(CancellationToken.None);
        return rig;
    }

    /// <summary>A PROBE for node status, signed by alice now; as it is on the wire.</summary>
    public byte[] SignedProbe() => NslpCodec.Encode(Signed(NslpRequests.Probe(ProbeKind.Status)));

    public NslpRequest Signed(NslpRequest request)
    {
        request.Headers[NslpHeaderNames.User] = "alice";
        NslpSignature.Sign(request, _aliceKey, Time);
        return request;
    }

    /// <summary>P's message reaches node-a travelling downstream; the task ends when node-a is done with it.</summary>
    public Task FromUpstream(byte[] wire, GistSessionId? session = null, GistMessageRoutingInformation? mri = null) =>
        Transport.Delivered!(new DeliverAction(session ?? new GistSessionId(1), mri ?? Flow, GistDirection.Downstream, wire, Upstream));

    /// <summary>node-b's answer to what node-a sent on <paramref name="session"/> reaches node-a travelling upstream.</summary>
    public Task FromDownstream(GistSessionId session, NslpMessage message) =>
        Transport.Delivered!(new DeliverAction(session, Flow, GistDirection.Upstream, NslpCodec.Encode(message), Downstream));

    /// <summary>GIST found no NetServ node past node-a for <paramref name="session"/>.</summary>
    public Task NoPeerFound(GistSessionId session) =>
        Transport.SessionStatus!(new SessionStatusAction(session, GistSessionOutcome.NoPeerFound, "no NetServ node answered the Query"));

    /// <summary>Waits for node-a to send its <paramref name="count"/>th message downstream, and returns it.</summary>
    public async Task<(GistSessionId Session, GistMessageRoutingInformation Mri, byte[] Message)> SentDownstreamAsync(int count = 1)
    {
        await WaitUntilAsync(() => Transport.SentDownstream.Count >= count, $"{count} message(s) sent downstream");
        var sent = Transport.SentDownstream[count - 1];
        return (sent.Session, sent.Mri, sent.Message);
    }

    /// <summary>node-a's answers upstream, as response stacks.</summary>
    public List<PathResponse> Answers() => Transport.SentUpstream.Select(s => Stack(s.Message)).ToList();

    public static NslpResponse Response(byte[] wire) =>
        NslpCodec.TryParseWhole(wire, out var message, out var error) && message is NslpResponse response
            ? response
            : throw new InvalidOperationException($"node-a sent something other than a response: {error}");

    public static PathResponse Stack(byte[] wire) =>
        PathResponse.TryParse(Response(wire), out var stack, out var error) ? stack : throw new InvalidOperationException($"node-a's answer is not a response stack: {error}");

    /// <summary>
    /// Waits (in real time, briefly) for continuations that the fake clock or an answer set off on the
    /// thread pool; nothing here waits for a timer.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new AssertionException($"still waiting for {what}");
            }

            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Control.DisposeAsync();
    }
}

/// <summary>Routes as the test sets them; a destination without one is a failed look-up.</summary>
internal sealed class FakeRouteLookup : IRouteLookup
{
    public Dictionary<Ipv4Address, RouteToDestination> Routes { get; } = [];

    public bool TryLookup(Ipv4Address destination, out RouteToDestination route, out string? error)
    {
        error = Routes.TryGetValue(destination, out route) ? null : "netlink: no such process";
        return error is null;
    }
}
