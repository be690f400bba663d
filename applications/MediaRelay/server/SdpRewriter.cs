using System.Globalization;
using System.Net;
using System.Text;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// Points an SDP offer or answer (RFC 4566) at the relay: every <c>c=IN IP4</c> line gets the
/// relay's address, the first <c>m=audio</c> line the relay port, and an <c>a=rtcp:</c> line the
/// port after it. Other lines, video among them, pass unchanged. Text in, text out; no I/O.
/// </summary>
internal static class SdpRewriter
{
    /// <summary>Rewrites <paramref name="sdp"/>; <see langword="false"/> when it has no audio media line to redirect.</summary>
    public static bool TryRewrite(string sdp, IPAddress relay, int rtpPort, out string rewritten)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        ArgumentNullException.ThrowIfNull(relay);
        var output = new StringBuilder(sdp.Length + 16);
        var audio = false;
        var inAudio = false;
        foreach (var line in sdp.Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length == 0)
            {
                continue;
            }

            if (text.StartsWith("m=", StringComparison.Ordinal))
            {
                inAudio = !audio && text.StartsWith("m=audio ", StringComparison.Ordinal);
                if (inAudio)
                {
                    var fields = text.Split(' ');
                    if (fields.Length < 4)
                    {
                        rewritten = sdp;
                        return false;
                    }

                    fields[1] = rtpPort.ToString(CultureInfo.InvariantCulture);
                    text = string.Join(' ', fields);
                    audio = true;
                }
            }
            else if (text.StartsWith("c=IN IP4 ", StringComparison.Ordinal))
            {
                text = "c=IN IP4 " + relay;
            }
            else if (inAudio && text.StartsWith("a=rtcp:", StringComparison.Ordinal))
            {
                text = "a=rtcp:" + (rtpPort + 1).ToString(CultureInfo.InvariantCulture);
            }

            output.Append(text).Append("\r\n");
        }

        rewritten = audio ? output.ToString() : sdp;
        return audio;
    }
}
