using System.Security.Cryptography;
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
/// The reply goes from the server's address and port (the request's destination) to the user
/// agent's (its source) through <see cref="IModuleContext.PacketSender"/>: a 200 OK copying Via,
/// From, To (with a tag), Call-ID and CSeq, or a CRLF pong. When it cannot be sent the request is
/// accepted, so the server answers instead.
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
    /// <summary>The largest UDP payload of an IPv4 packet; room for any reply to any request that fits one.</summary>
    private const int MaxPayload = 65535 - 28;

    private readonly byte[] _sip = new byte[MaxPayload];
    private readonly byte[] _reply = new byte[65535];
    private byte[] _toTag = [];
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
        if (!TryBuildReply(ref packet, kind, out var length))
        {
            // A request so large that its reply cannot fit one packet: the server answers it.
            Interlocked.Increment(ref _replyFailures);
            return PacketVerdict.Accept;
        }

        Interlocked.Increment(ref _built);
        if (!_swapAddresses)
        {
            return PacketVerdict.Accept;
        }

        if (!Context.PacketSender.TrySend(_reply.AsSpan(0, length)))
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

        // One tag per module instance: the responder's half of the dialog identifier (RFC 3261 section 19.3).
        _toTag = System.Text.Encoding.ASCII.GetBytes("nsk" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Log.Started(Context.Logger, _swapAddresses);
        return Task.CompletedTask;
    }

    private bool TryBuildReply(ref Packet packet, SipKeepAliveKind kind, out int length)
    {
        length = 0;
        int sipLength;
        if (kind == SipKeepAliveKind.CrlfPing)
        {
            SipKeepAlive.CrlfPong.CopyTo(_sip);
            sipLength = SipKeepAlive.CrlfPong.Length;
        }
        else if (!SipResponseWriter.TryWriteResponse(_sip, packet.Payload, 200, "OK"u8, _toTag, [], out sipLength))
        {
            return false;
        }

        return PacketWriter.TryWriteUdpReply(_reply, packet, _sip.AsSpan(0, sipLength), out length);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Answering SIP keep-alives on behalf of the server (swap-addresses={SwapAddresses})")]
        public static partial void Started(ILogger logger, bool swapAddresses);
    }
}
