using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NetServ.Networking;
using NetServ.Sip;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>A datagram the proxy wants sent, and where to.</summary>
internal readonly record struct SipDatagram(byte[] Payload, IPEndPoint Destination);

/// <summary>
/// A minimal stateful SIP proxy, over UDP, for calls between registered user agents (paper
/// section 6.3, Figure 9). An INVITE for a registered user gets 100 Trying, a relay session for its
/// Call-ID through <see cref="CallRelayPlanner"/>, and is forwarded to the address the callee
/// registered from with the proxy's Via and Record-Route on top; every SDP body on the way to an
/// agent is pointed at the relay port facing that agent. Responses lose the proxy's Via and go back
/// where their request came from; in-dialog requests (ACK, BYE, re-INVITE, CANCEL) go to the other
/// side; BYE, or an error final response to the INVITE, releases the session.
/// Datagrams in, datagrams out: no socket here. Not thread-safe — the server's receive loop calls
/// <see cref="HandleAsync"/> one datagram at a time.
/// </summary>
internal sealed partial class SipCallProxy
{
    // Timer H/J (64·T1): an ended call is kept this long so retransmitted final responses, the ACK
    // of an error response and the 200 of the BYE still find their way.
    private static readonly TimeSpan EndedCallLinger = TimeSpan.FromSeconds(32);

    // Timer C: a proxy gives up on an INVITE that has had no final response for three minutes.
    private static readonly TimeSpan UnansweredCallLifetime = TimeSpan.FromMinutes(3);

    // A call whose BYE never came (an agent crashed) is forgotten after this long without signaling;
    // its relay session will have timed out on the silence of its media long before.
    private static readonly TimeSpan AnsweredCallLifetime = TimeSpan.FromHours(12);

    private readonly RelayDirectory _directory;
    private readonly CallRelayPlanner _planner;
    private readonly SipToTags _toTags;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _via;
    private readonly string _routeUri;
    private readonly Dictionary<string, ProxiedCall> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProxyTransaction> _transactions = new(StringComparer.Ordinal);
    private long _malformed;
    private long _unmatched;

    /// <param name="directory">The registrations: who can be called, and from where they registered.</param>
    /// <param name="planner">Allocates and releases relay sessions and rewrites SDP.</param>
    /// <param name="self">The address and port the server listens on, which agents reach it at: the proxy's Via and Record-Route name it.</param>
    /// <param name="toTags">Makes the To tag of the proxy's own final responses (404, 481, 483, 501), one per dialog (RFC 3261 section 19.3).</param>
    /// <param name="time">The clock that ages calls out.</param>
    /// <param name="logger">Where calls and dropped messages are logged.</param>
    public SipCallProxy(RelayDirectory directory, CallRelayPlanner planner, IPEndPoint self, SipToTags toTags, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(self);
        _directory = directory;
        _planner = planner;
        _toTags = toTags;
        _time = time;
        _logger = logger;
        _via = $"SIP/2.0/UDP {self}";
        _routeUri = $"sip:{self};lr";
    }

    /// <summary>Datagrams that were not SIP messages the proxy could route; dropped.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Responses to no request the proxy forwarded, and in-dialog requests of no call it knows; dropped or refused.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>The calls the proxy remembers, ended ones included until they age out.</summary>
    public int Calls => _calls.Count;

    /// <summary>Handles one datagram from <paramref name="source"/>; what comes back is to be sent, in order.</summary>
    public async Task<IReadOnlyList<SipDatagram>> HandleAsync(ReadOnlyMemory<byte> datagram, IPEndPoint source, CancellationToken cancellationToken)
    {
        await PurgeAsync(cancellationToken).ConfigureAwait(false);
        if (!SipMessage.TryParse(datagram.Span, out var message))
        {
            Interlocked.Increment(ref _malformed);
            Log.Malformed(_logger, source.ToString(), datagram.Length);
            return [];
        }

        return message.IsRequest
            ? await OnRequestAsync(message, datagram, source, cancellationToken).ConfigureAwait(false)
            : await OnResponseAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<SipDatagram>> OnRequestAsync(SipMessage request, ReadOnlyMemory<byte> raw, IPEndPoint source, CancellationToken cancellationToken)
    {
        var inDialog = SipUri.Parameter(request.Get(SipHeaderName.To)!, "tag") is not null;
        if (_calls.TryGetValue(request.CallId, out var call))
        {
            return await OnCallRequestAsync(request, raw, source, call, inDialog, cancellationToken).ConfigureAwait(false);
        }

        if (request.Method == "INVITE" && !inDialog)
        {
            return await OnInviteAsync(request, raw, source, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _unmatched);
        Log.NoSuchCall(_logger, request.Method, request.CallId, source.ToString());
        if (request.Method == "ACK")
        {
            return [];
        }

        return inDialog || request.Method is "BYE" or "CANCEL"
            ? Respond(raw, source, 481, "Call/Transaction Does Not Exist"u8)
            : Respond(raw, source, 501, "Not Implemented"u8);
    }

    private async Task<IReadOnlyList<SipDatagram>> OnInviteAsync(SipMessage invite, ReadOnlyMemory<byte> raw, IPEndPoint source, CancellationToken cancellationToken)
    {
        var user = SipUri.UserOf(invite.RequestUri);
        if ((user is null ? null : _directory.FindByUser(user)) is not { } callee)
        {
            Log.UnknownCallee(_logger, invite.CallId, invite.RequestUri);
            return Respond(raw, source, 404, "Not Found"u8);
        }

        if (!TryDecrementMaxForwards(invite))
        {
            return Respond(raw, source, 483, "Too Many Hops"u8);
        }

        // A proxy's 100 Trying carries no To tag: the dialog's tag is the callee's to give.
        var trying = Respond(raw, source, 100, "Trying"u8, withTag: false);
        var from = invite.Get(SipHeaderName.From)!;
        var callerAor = SipUri.AddressOf(from);
        var relay = await AllocateAsync(invite.CallId, callerAor, callee.AddressOfRecord, cancellationToken).ConfigureAwait(false);
        var call = new ProxiedCall(invite.CallId, source, SipUri.Parameter(from, "tag"), callee.Source, relay, BranchOf(invite), _time.GetUtcNow());
        _calls.Add(call.CallId, call);
        if (relay is null)
        {
            // The media may still get through (agents not behind NATs, or a NAT that keeps ports), so the call is not refused.
            Log.NoRelay(_logger, call.CallId, callerAor, callee.AddressOfRecord);
        }

        Log.CallForwarded(_logger, call.CallId, callerAor, callee.AddressOfRecord, callee.Source.ToString(), relay?.CallerSide.Address.ToString() ?? "none");
        return [.. trying, Forward(invite, call, source, fromCaller: true, recordRoute: true)];
    }

    private async Task<IReadOnlyList<SipDatagram>> OnCallRequestAsync(SipMessage request, ReadOnlyMemory<byte> raw, IPEndPoint source, ProxiedCall call, bool inDialog, CancellationToken cancellationToken)
    {
        call.LastActivity = _time.GetUtcNow();
        if (request.Method == "INVITE" && !inDialog)
        {
            // The caller sent the INVITE again before our 100 came: forward it again, on the session it already has.
            if (call.EndedAt is not null || !TryDecrementMaxForwards(request))
            {
                return [];
            }

            return [.. Respond(raw, source, 100, "Trying"u8, withTag: false), Forward(request, call, source, fromCaller: true, recordRoute: true)];
        }

        if (!TryDecrementMaxForwards(request))
        {
            return request.Method == "ACK" ? [] : Respond(raw, source, 483, "Too Many Hops"u8);
        }

        var forwarded = Forward(request, call, source, IsFromCaller(request, call, source), recordRoute: false);
        if (request.Method == "BYE")
        {
            await EndAsync(call, "BYE", cancellationToken).ConfigureAwait(false);
        }

        return [forwarded];
    }

    private async Task<IReadOnlyList<SipDatagram>> OnResponseAsync(SipMessage response, CancellationToken cancellationToken)
    {
        var via = response.IndexOf(SipHeaderName.Via);
        var top = SipUri.FirstElement(response.Headers[via].Value, out var below);
        var branch = SipUri.Parameter(top, "branch");
        if (branch is null || !_transactions.TryGetValue(branch, out var transaction))
        {
            Interlocked.Increment(ref _unmatched);
            Log.NoTransaction(_logger, response.StatusCode, response.CallId, branch ?? "none");
            return [];
        }

        // The proxy's Via goes with the hop (RFC 3261 section 16.7 step 3); the caller's is next.
        if (below.Length == 0)
        {
            response.Headers.RemoveAt(via);
        }
        else
        {
            response.Headers[via] = response.Headers[via] with { Value = below };
        }

        var call = transaction.Call;
        call.LastActivity = _time.GetUtcNow();
        if (response.StatusCode == 100)
        {
            // Hop by hop: the caller had the proxy's own.
            return [];
        }

        RewriteSdp(response, call, towardCallee: !transaction.FromCaller);
        if (branch == call.InviteBranch && response.CSeqMethod == "INVITE")
        {
            if (response.StatusCode < 300)
            {
                call.Answered |= response.StatusCode >= 200;
            }
            else
            {
                await EndAsync(call, response.StatusCode.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            }
        }

        return [new SipDatagram(response.ToBytes(), transaction.Source)];
    }

    /// <summary>Puts the proxy's Via (and Record-Route) on top, takes its own Route off, points the SDP at the relay, and addresses the request to the other side.</summary>
    private SipDatagram Forward(SipMessage request, ProxiedCall call, IPEndPoint source, bool fromCaller, bool recordRoute)
    {
        var branch = BranchOf(request);
        if (_transactions.TryAdd(branch, new ProxyTransaction(call, source, fromCaller)))
        {
            call.Branches.Add(branch);
        }

        RemoveOwnRoute(request);
        RewriteSdp(request, call, towardCallee: fromCaller);
        request.Headers.Insert(0, new SipField(SipHeaderName.Via, "Via", $"{_via};branch={branch}"));
        if (recordRoute)
        {
            // Without it ACK and BYE would go straight between the agents, and the proxy would never see the BYE that releases the relay.
            request.Headers.Insert(1, new SipField(SipHeaderName.Other, "Record-Route", $"<{_routeUri}>"));
        }

        return new SipDatagram(request.ToBytes(), fromCaller ? call.Callee : call.Caller);
    }

    private void RewriteSdp(SipMessage message, ProxiedCall call, bool towardCallee)
    {
        if (call.Relay is not { } relay || !message.HasSdp)
        {
            return;
        }

        if (CallRelayPlanner.TryRewrite(relay, message.BodyText, towardCallee, out var sdp))
        {
            message.Body = Encoding.Latin1.GetBytes(sdp);
        }
        else
        {
            Log.SdpWithoutAudio(_logger, call.CallId, towardCallee ? "callee" : "caller");
        }
    }

    /// <summary>Removes the first Route element when it is the proxy's own Record-Route (loose routing, RFC 3261 section 16.4).</summary>
    private void RemoveOwnRoute(SipMessage request)
    {
        var index = request.IndexOf("Route");
        if (index < 0)
        {
            return;
        }

        var first = SipUri.FirstElement(request.Headers[index].Value, out var rest);
        if (!SipUri.AddressOf(first).Equals(_routeUri, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (rest.Length == 0)
        {
            request.Headers.RemoveAt(index);
        }
        else
        {
            request.Headers[index] = request.Headers[index] with { Value = rest };
        }
    }

    private async Task<RelayAllocation?> AllocateAsync(string callId, string callerAor, string calleeAor, CancellationToken cancellationToken)
    {
        try
        {
            return await _planner.AllocateAsync(callId, callerAor, calleeAor, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Log.RelayControlFailed(_logger, callId, e);
            return null;
        }
    }

    private async Task EndAsync(ProxiedCall call, string reason, CancellationToken cancellationToken)
    {
        call.EndedAt ??= _time.GetUtcNow();
        if (call.Relay is not { } relay || call.Released)
        {
            return;
        }

        call.Released = true;
        bool released;
        try
        {
            released = await _planner.ReleaseAsync(relay, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            Log.RelayControlFailed(_logger, call.CallId, e);
            released = false;
        }

        Log.CallEnded(_logger, call.CallId, reason, released);
    }

    /// <summary>Forgets calls that ended a while ago, or whose signaling stopped; the latter release their session first.</summary>
    private async Task PurgeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        List<ProxiedCall>? stale = null;
        foreach (var call in _calls.Values)
        {
            var expired = call.EndedAt is { } ended
                ? now - ended >= EndedCallLinger
                : now - call.LastActivity >= (call.Answered ? AnsweredCallLifetime : UnansweredCallLifetime);
            if (expired)
            {
                (stale ??= []).Add(call);
            }
        }

        foreach (var call in stale ?? [])
        {
            _calls.Remove(call.CallId);
            foreach (var branch in call.Branches)
            {
                _transactions.Remove(branch);
            }

            await EndAsync(call, "no signaling", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The proxy's own response to a request from <paramref name="source"/>: Via gets <c>received</c> and
    /// <c>rport</c> as RFC 3261 section 18.2.1 and RFC 3581 section 4 ask, and the response goes where
    /// section 18.2.2 sends it (the source port only when the request asked for rport).
    /// </summary>
    private SipDatagram[] Respond(ReadOnlyMemory<byte> request, IPEndPoint source, int statusCode, ReadOnlySpan<byte> reason, bool withTag = true)
    {
        // Full header names, a tag, received and rport make the response longer than the request's headers at most by this much.
        var response = new byte[(request.Length * 2) + reason.Length + SipToTags.Length + 192];
        var from = new SipEndpoint(Ipv4Address.FromIPAddress(source.Address), (ushort)source.Port);
        return SipResponseWriter.TryWriteResponse(response, request.Span, from, statusCode, reason, withTag ? _toTags : null, [], out var written, out var to)
            ? [new SipDatagram(response[..written], new IPEndPoint(to.Address.ToIPAddress(), to.Port))]
            : [];
    }

    /// <summary>
    /// The proxy's branch for a request: derived from what names the client transaction upstream
    /// (the top Via, Call-ID and CSeq number), so a retransmission, the CANCEL and the ACK of an
    /// error response get the INVITE's branch (RFC 3261 sections 9.1 and 17.1.1.3) and the callee
    /// matches them to its INVITE transaction, while every new request gets a new one. It starts
    /// with the RFC 3261 magic cookie.
    /// </summary>
    private static string BranchOf(SipMessage request)
    {
        var key = $"{SipUri.FirstElement(request.Get(SipHeaderName.Via)!, out _)}\n{request.CallId}\n{request.Sequence}";
        return "z9hG4bK" + Convert.ToHexStringLower(SHA256.HashData(Encoding.Latin1.GetBytes(key)).AsSpan(0, 10));
    }

    /// <summary>Takes one hop off Max-Forwards (adding 70 when there is none); <see langword="false"/> when none is left or it is not a number.</summary>
    private static bool TryDecrementMaxForwards(SipMessage request)
    {
        var index = request.IndexOf(SipHeaderName.MaxForwards);
        if (index < 0)
        {
            request.Headers.Add(new SipField(SipHeaderName.MaxForwards, "Max-Forwards", "70"));
            return true;
        }

        if (!int.TryParse(request.Headers[index].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var hops) || hops <= 0)
        {
            return false;
        }

        request.Headers[index] = request.Headers[index] with { Value = (hops - 1).ToString(CultureInfo.InvariantCulture) };
        return true;
    }

    /// <summary>In-dialog requests tell their side by the From tag (the caller's is known); without tags, by where they come from.</summary>
    private static bool IsFromCaller(SipMessage request, ProxiedCall call, IPEndPoint source) =>
        call.CallerTag is not null && SipUri.Parameter(request.Get(SipHeaderName.From)!, "tag") is { } tag
            ? tag == call.CallerTag
            : source.Equals(call.Caller);

    // Event ids 40 and up: the server (1-19) and ModuleSignaler (20-39) log to the same category.
    private static partial class Log
    {
        [LoggerMessage(40, LogLevel.Information, "INVITE {CallId} from {Caller} to {Callee} at {Destination}; relay {Relay}")]
        public static partial void CallForwarded(ILogger logger, string callId, string caller, string callee, string destination, string relay);

        [LoggerMessage(41, LogLevel.Warning, "no relay for call {CallId} between {Caller} and {Callee}: forwarded with its SDP as it was")]
        public static partial void NoRelay(ILogger logger, string callId, string caller, string callee);

        [LoggerMessage(42, LogLevel.Information, "INVITE {CallId} for {RequestUri}, which is not registered: 404")]
        public static partial void UnknownCallee(ILogger logger, string callId, string requestUri);

        [LoggerMessage(43, LogLevel.Information, "call {CallId} ended ({Reason}); relay session released: {Released}")]
        public static partial void CallEnded(ILogger logger, string callId, string reason, bool released);

        [LoggerMessage(44, LogLevel.Debug, "dropped {Length} bytes from {Source}: not a SIP message the proxy can route")]
        public static partial void Malformed(ILogger logger, string source, int length);

        [LoggerMessage(45, LogLevel.Debug, "dropped a {Status} of {CallId}: no request of ours has branch {Branch}")]
        public static partial void NoTransaction(ILogger logger, int status, string callId, string branch);

        [LoggerMessage(46, LogLevel.Information, "{Method} from {Source} for {CallId}, a call the proxy does not know")]
        public static partial void NoSuchCall(ILogger logger, string method, string callId, string source);

        [LoggerMessage(47, LogLevel.Warning, "the SDP of call {CallId} toward the {Side} has no audio line: forwarded as it was")]
        public static partial void SdpWithoutAudio(ILogger logger, string callId, string side);

        [LoggerMessage(48, LogLevel.Warning, "the relay's control channel failed for call {CallId}")]
        public static partial void RelayControlFailed(ILogger logger, string callId, Exception exception);
    }
}
