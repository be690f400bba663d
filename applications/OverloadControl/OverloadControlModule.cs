using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Apps.OverloadControl;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Sip;

[assembly: NetServModule(typeof(OverloadControlModule))]

namespace NetServ.Apps.OverloadControl;

/// <summary>
/// Overload Control (paper section 6.4): the Sending Entity of a SIP overload control loop, on a
/// NetServ node near the user agents. It sees the SIP requests toward the server (the SETUP's
/// filter), admits the share the server's latest feedback asks for and rejects the rest itself with
/// <c>503 Service Unavailable</c> and <c>Retry-After</c>, sent from the server's address to the
/// user agent, so the overloaded server never sees them. Only initial requests are throttled. The
/// 503 is built by <see cref="SipUdpResponder"/>: Via with <c>received</c> and <c>rport</c>, a To tag
/// per dialog, sent where RFC 3261 section 18.2.2 and RFC 3581 say.
/// </summary>
/// <remarks>
/// <para>
/// Feedback (the Receiving Entity's side, see <see cref="OverloadFeedback"/> for the format) comes
/// as UDP datagrams to <c>feedback-port</c> on the node, opened with <see cref="IServerSockets"/>;
/// only datagrams from the filter's destinations (the server) are believed. Without feedback for
/// <c>feedback-timeout</c> seconds the module lets everything through again (fail-open).
/// </para>
/// <para>
/// Properties: <c>feedback-port</c> (UDP, 0 for none; default 0), <c>initial-rate</c> (requests/s
/// applied from the start until feedback comes or times out; default none), <c>retry-after</c>
/// (seconds, default 5), <c>feedback-timeout</c> (seconds, default 5), <c>burst-ms</c> (the bucket's
/// depth in milliseconds of the target rate, default 100).
/// </para>
/// </remarks>
public sealed partial class OverloadControlModule : NetServModule, IPacketProcessor, IModuleStatus
{
    private readonly SipUdpResponder _responder = new();
    private AdmissionControl? _admission;
    private byte[] _retryAfter = [];
    private int _feedbackPort;
    private Socket? _feedbackSocket;
    private Task _feedbackLoop = Task.CompletedTask;
    private CancellationTokenSource? _stopping;
    private long _offered;
    private long _admitted;
    private long _rejected;
    private long _passed;
    private long _malformed;
    private long _replyFailures;
    private long _feedbackReceived;
    private long _feedbackIgnored;
    private OverloadFeedback _lastFeedback = new(FeedbackKind.Off, 0, -1);

    /// <inheritdoc />
    public PacketVerdict Process(ref Packet packet)
    {
        if (!packet.IsUdp)
        {
            Interlocked.Increment(ref _passed);
            return PacketVerdict.Accept;
        }

        switch (SipRequestClassifier.Classify(packet.Payload))
        {
            case SipRequestKind.Other:
                Interlocked.Increment(ref _passed);
                return PacketVerdict.Accept;
            case SipRequestKind.Malformed:
                // Not ours to judge: the server decides what to do with it.
                Interlocked.Increment(ref _malformed);
                return PacketVerdict.Accept;
        }

        Interlocked.Increment(ref _offered);
        if (_admission?.TryAdmit() ?? true)
        {
            Interlocked.Increment(ref _admitted);
            return PacketVerdict.Accept;
        }

        Interlocked.Increment(ref _rejected);
        if (!_responder.TryWriteResponse(packet, 503, "Service Unavailable"u8, _retryAfter, out var reply) || !Context.PacketSender.TrySend(reply))
        {
            // Still dropped: shedding the load is the point; the user agent retransmits or times out.
            Interlocked.Increment(ref _replyFailures);
        }

        return PacketVerdict.Drop;
    }

    /// <inheritdoc />
    public JsonObject GetStatus() => _admission is null ? new JsonObject { ["mode"] = "starting" } : new()
    {
        ["mode"] = _admission.Mode switch
        {
            AdmissionMode.Rate => "rate",
            AdmissionMode.Drop => "drop",
            _ => "pass-through",
        },
        ["targetRate"] = _admission.TargetRate,
        ["dropFraction"] = _admission.DropFraction,
        ["feedbackSeq"] = _admission.Sequence,
        ["feedbackPort"] = _feedbackPort,
        ["offered"] = Interlocked.Read(ref _offered),
        ["admitted"] = Interlocked.Read(ref _admitted),
        ["rejected"] = Interlocked.Read(ref _rejected),
        ["passed"] = Interlocked.Read(ref _passed),
        ["malformed"] = Interlocked.Read(ref _malformed),
        ["replyFailures"] = Interlocked.Read(ref _replyFailures),
        ["feedbackReceived"] = Interlocked.Read(ref _feedbackReceived),
        ["feedbackIgnored"] = Interlocked.Read(ref _feedbackIgnored),
    };

    /// <summary>Handles one feedback datagram from <paramref name="sender"/>; what the socket loop calls.</summary>
    internal bool HandleFeedback(ReadOnlySpan<byte> datagram, Ipv4Address sender)
    {
        if (!IsFromServer(sender) || !OverloadFeedback.TryParse(datagram, out var feedback) || _admission?.Apply(feedback) != true)
        {
            Interlocked.Increment(ref _feedbackIgnored);
            return false;
        }

        Interlocked.Increment(ref _feedbackReceived);
        if (feedback.Kind != _lastFeedback.Kind || feedback.Value != _lastFeedback.Value)
        {
            // Feedback repeats every tick while the server is overloaded: the node's log keeps only the changes.
            Log.FeedbackChanged(Context.Logger, feedback.Kind.ToString(), feedback.Value, feedback.Sequence);
        }

        _lastFeedback = feedback;
        return true;
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        var properties = Context.Properties;
        var retryAfter = properties.GetInt32("retry-after", 5);
        var timeout = properties.GetInt32("feedback-timeout", 5);
        var burst = properties.GetInt32("burst-ms", 100);
        _feedbackPort = properties.GetInt32("feedback-port", 0);
        var initialRate = properties.GetString("initial-rate");
        if (retryAfter < 0 || timeout < 1 || burst < 1 || _feedbackPort is < 0 or > 65535)
        {
            throw new FormatException("retry-after must be 0 or more, feedback-timeout and burst-ms positive, feedback-port 0-65535");
        }

        _admission = new AdmissionControl(Context.TimeProvider, TimeSpan.FromSeconds(timeout), burst / 1000.0);
        if (initialRate is not null)
        {
            if (!double.TryParse(initialRate, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var rate) || !double.IsFinite(rate) || rate < 0)
            {
                throw new FormatException($"initial-rate '{initialRate}' is not a number of requests per second");
            }

            _admission.Apply(new OverloadFeedback(FeedbackKind.Rate, rate, 0));
        }

        _retryAfter = Encoding.ASCII.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Retry-After: {retryAfter}\r\n"));

        if (_feedbackPort > 0)
        {
            _feedbackSocket = Context.BuildingBlocks.Require<IServerSockets>().BindUdp(_feedbackPort);
            _stopping = CancellationTokenSource.CreateLinkedTokenSource(Context.ModuleStopping);
            _feedbackLoop = ReceiveFeedbackAsync(_feedbackSocket, _stopping.Token);
        }

        Log.Started(Context.Logger, _feedbackPort, retryAfter, timeout);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task OnStopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _feedbackSocket?.Dispose();
        try
        {
            await _feedbackLoop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stopping?.Dispose();
        _feedbackSocket = null;
        _stopping = null;
    }

    private async Task ReceiveFeedbackAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // An ICMP error from an earlier send, say: the socket itself is still good.
                Log.FeedbackReceiveFailed(Context.Logger, e.SocketErrorCode.ToString());
                continue;
            }

            var sender = ((IPEndPoint)received.RemoteEndPoint).Address;
            if (sender.AddressFamily == AddressFamily.InterNetwork)
            {
                HandleFeedback(buffer.AsSpan(0, received.ReceivedBytes), Ipv4Address.FromIPAddress(sender));
            }
        }
    }

    private bool IsFromServer(Ipv4Address sender)
    {
        if (Context.Filter is not { } filter || filter.Destinations.Count == 0)
        {
            return true;
        }

        foreach (var prefix in filter.Destinations)
        {
            if (prefix.Contains(sender))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Overload control for the SIP server (feedback on udp {FeedbackPort}, Retry-After {RetryAfter} s, fail-open after {Timeout} s without feedback)")]
        public static partial void Started(ILogger logger, int feedbackPort, int retryAfter, int timeout);

        [LoggerMessage(2, LogLevel.Information, "Feedback now {Kind} {Value} (seq {Sequence})")]
        public static partial void FeedbackChanged(ILogger logger, string kind, double value, long sequence);

        [LoggerMessage(3, LogLevel.Warning, "Receiving feedback failed: {Error}")]
        public static partial void FeedbackReceiveFailed(ILogger logger, string error);
    }
}
