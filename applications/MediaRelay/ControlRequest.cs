using System.Text;

namespace NetServ.Apps.MediaRelay;

/// <summary>The commands of the control channel.</summary>
internal enum ControlCommand
{
    /// <summary><c>ALLOCATE &lt;call-id&gt;</c>: create (or return) the session of a call.</summary>
    Allocate,

    /// <summary><c>RELEASE &lt;call-id&gt;</c>: close the session of a call (hang-up).</summary>
    Release,
}

/// <summary>
/// The control channel's text protocol, one request per UDP datagram, ASCII:
/// <c>ALLOCATE &lt;call-id&gt;</c> → <c>OK &lt;call-id&gt; &lt;rtp-port-a&gt; &lt;rtp-port-b&gt;</c>;
/// <c>RELEASE &lt;call-id&gt;</c> → <c>OK &lt;call-id&gt;</c>; anything else → <c>ERR &lt;reason&gt;</c>.
/// A trailing CRLF or LF is allowed. Parsing only; no I/O.
/// </summary>
internal static class ControlRequest
{
    /// <summary>Call-IDs longer than this are refused; SIP Call-IDs are far shorter in practice.</summary>
    public const int MaxCallIdLength = 256;

    /// <summary>Parses one request; <see langword="false"/> for anything malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out ControlCommand command, out ReadOnlySpan<byte> callId)
    {
        command = default;
        callId = default;
        if (datagram.EndsWith("\n"u8))
        {
            datagram = datagram[..^1];
            if (datagram.EndsWith("\r"u8))
            {
                datagram = datagram[..^1];
            }
        }

        var space = datagram.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        var verb = datagram[..space];
        if (verb.SequenceEqual("ALLOCATE"u8))
        {
            command = ControlCommand.Allocate;
        }
        else if (verb.SequenceEqual("RELEASE"u8))
        {
            command = ControlCommand.Release;
        }
        else
        {
            return false;
        }

        callId = datagram[(space + 1)..];
        return callId.Length is > 0 and <= MaxCallIdLength && IsToken(callId);
    }

    /// <summary>Formats the answer to a successful ALLOCATE.</summary>
    public static byte[] Allocated(RelaySession session) =>
        Encoding.ASCII.GetBytes($"OK {session.CallId} {session.A.RtpPort} {session.B.RtpPort}\n");

    /// <summary>Formats the answer to a successful RELEASE.</summary>
    public static byte[] Released(string callId) => Encoding.ASCII.GetBytes($"OK {callId}\n");

    /// <summary>Formats an error answer.</summary>
    public static byte[] Error(string reason) => Encoding.ASCII.GetBytes($"ERR {reason}\n");

    // Visible ASCII without white space: what a SIP Call-ID is made of (RFC 3261 word).
    private static bool IsToken(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b is <= 0x20 or >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}
