using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Apps.KeepAlive;
using NetServ.Sdk;
using NetServ.Sip;

[assembly: NetServModule(typeof(KeepAliveModule))]

namespace NetServ.Apps.KeepAlive;

/// <summary>
/// KeepAlive Responder (paper section 6.2): on the path from SIP user agents to their SIP server,
/// answers each NAT keep-alive — a NOTIFY with <c>Event: keep-alive</c>, or the CRLF ping of
/// RFC 5626 — on behalf of the server and drops it, so keep-alive traffic stays near the user
/// agents. Every other packet passes untouched.
/// </summary>
/// <remarks>
/// <para>
/// The reply goes from the server's address and port (the request's destination) through
/// <see cref="IModuleContext.PacketSender"/>, built by <see cref="SipUdpResponder"/>: a 200 OK copying
/// Via (the top one with <c>received</c> and <c>rport</c> as RFC 3261 section 18.2.1 and RFC 3581
/// ask), From, To (with a tag per dialog), Call-ID and CSeq, sent where section 18.2.2 says — back
/// to the source port only when the user agent asked with <c>rport</c>, to the sent-by port otherwise;
/// or a CRLF pong back to the source. When it cannot be built or sent the request is accepted, so
/// the server answers instead.
/// </para>
/// <para>
/// <c>swap-addresses=false</c> is the paper's configuration 6 (section 9): the module still
/// matches every keep-alive and builds the whole reply packet — SIP response, addresses swapped,
/// checksums — but neither sends it nor drops the request, which goes on to the server (the
/// benchmark's receiver). The work per packet is the same; only the verdict differs.
/// </para>
/// </remarks>
public sealed partial class KeepAliveModule : NetServModule, IPacketProcessor, IModuleStatus
{
    private readonly SipUdpResponder _responder = new();
    private bool _swapAddresses = true;
    private long _matched;
    private long _replied;
    private long _built;
    private long _passed;
    private long _malformed;
    private long _replyFailures;

    /// <summary>Whether replies are sent and requests dropped (<c>swap-addresses</c>, default true).</summary>
    internal bool SwapAddresses => _swapAddresses;

    /// <inheritdoc />
    public PacketVerdict Process(ref Packet packet)
    {
        if (!packet.IsUdp)
        {
            Interlocked.Increment(ref _passed);
            return PacketVerdict.Accept;
        }

        var payload = packet.Payload;
        var kind = SipKeepAlive.Classify(payload);
        switch (kind)
        {
            case SipKeepAliveKind.None:
                Interlocked.Increment(ref _passed);
                return PacketVerdict.Accept;
            case SipKeepAliveKind.Malformed:
                Interlocked.Increment(ref _malformed);
                return PacketVerdict.Accept;
        }

        Interlocked.Increment(ref _matched);
        var built = kind == SipKeepAliveKind.CrlfPing
            ? _responder.TryWriteCrlfPong(packet, out var reply)
            : _responder.TryWriteResponse(packet, 200, "OK"u8, [], out reply);
        if (!built)
        {
            // A reply that cannot fit one packet, or a Via that names nowhere to send it: the server answers.
            Interlocked.Increment(ref _replyFailures);
            return PacketVerdict.Accept;
        }

        Interlocked.Increment(ref _built);
        if (!_swapAddresses)
        {
            return PacketVerdict.Accept;
        }

        if (!Context.PacketSender.TrySend(reply))
        {
            Interlocked.Increment(ref _replyFailures);
            return PacketVerdict.Accept;
        }

        Interlocked.Increment(ref _replied);
        return PacketVerdict.Drop;
    }

    /// <inheritdoc />
    public JsonObject GetStatus() => new()
    {
        ["swapAddresses"] = _swapAddresses,
        ["matched"] = Interlocked.Read(ref _matched),
        ["replied"] = Interlocked.Read(ref _replied),
        ["built"] = Interlocked.Read(ref _built),
        ["passed"] = Interlocked.Read(ref _passed),
        ["malformed"] = Interlocked.Read(ref _malformed),
        ["replyFailures"] = Interlocked.Read(ref _replyFailures),
    };

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        _swapAddresses = Context.Properties.GetBoolean("swap-addresses", true);

        Log.Started(Context.Logger, _swapAddresses);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Answering SIP keep-alives on behalf of the server (swap-addresses={SwapAddresses})")]
        public static partial void Started(ILogger logger, bool swapAddresses);
    }
}
