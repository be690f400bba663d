using System.Text;

namespace NetServ.Apps.MediaRelay.Tests;

/// <summary>
/// The SIP messages of one call as the tests' user agents send them: UA1 (sip:ua1@itsp, 198.18.1.1:5060)
/// calls UA2 (sip:ua2@itsp, 198.18.2.2:5070) through the server at 198.18.2.2:5060. Also what the
/// tests read back out of the messages the server sends.
/// </summary>
internal static class SipCallMessages
{
    public const string CallId = "call-1";

    /// <summary>The Record-Route the server adds, and the Route the agents send in-dialog requests with.</summary>
    public const string ServerRoute = "<sip:198.18.2.2:5060;lr>";

    /// <summary>UA2's Contact, the Request-URI of UA1's in-dialog requests.</summary>
    public const string Ua2Contact = "sip:ua2@198.18.2.2:5070";

    /// <summary>UA1's Contact, the Request-URI of UA2's in-dialog requests.</summary>
    public const string Ua1Contact = "sip:ua1@198.18.1.1:5060";

    /// <summary>An SDP description with one audio stream at <paramref name="address"/>:<paramref name="port"/> (RTCP on the next port).</summary>
    public static string Sdp(string address, int port) =>
        $"v=0\r\no=- 1 1 IN IP4 {address}\r\ns=-\r\nc=IN IP4 {address}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\na=rtcp:{port + 1}\r\n";

    public static byte[] Register(string user, string sentBy) => Message(
        $"REGISTER sip:198.18.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP {sentBy};branch=z9hG4bKreg{user}\r\nFrom: <sip:{user}@itsp>;tag=r{user}\r\n" +
        $"To: <sip:{user}@itsp>\r\nCall-ID: reg-{user}\r\nCSeq: 1 REGISTER\r\nContact: <sip:{user}@{sentBy}>\r\n");

    /// <summary>UA1's INVITE to <paramref name="requestUri"/> with the SDP offer <paramref name="offer"/>.</summary>
    public static byte[] Invite(string offer, string requestUri = "sip:ua2@itsp") => Message(
        $"INVITE {requestUri} SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKua1inv\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:ua1@itsp>;tag=ua1tag\r\nTo: <sip:ua2@itsp>\r\nCall-ID: {CallId}\r\nCSeq: 1 INVITE\r\n" +
        $"Contact: <{Ua1Contact}>\r\nContent-Type: application/sdp\r\n",
        offer);

    /// <summary>An in-dialog request after the 200 OK, by either agent: it carries the route set the Record-Route made.</summary>
    public static byte[] InDialog(string method, bool fromCaller, int sequence) => Message(
        (fromCaller
            ? $"{method} {Ua2Contact} SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKua1{method}{sequence}\r\n" +
              "From: <sip:ua1@itsp>;tag=ua1tag\r\nTo: <sip:ua2@itsp>;tag=ua2tag\r\n"
            : $"{method} {Ua1Contact} SIP/2.0\r\nVia: SIP/2.0/UDP 198.18.2.2:5070;branch=z9hG4bKua2{method}{sequence}\r\n" +
              "From: <sip:ua2@itsp>;tag=ua2tag\r\nTo: <sip:ua1@itsp>;tag=ua1tag\r\n") +
        $"Route: {ServerRoute}\r\nMax-Forwards: 70\r\nCall-ID: {CallId}\r\nCSeq: {sequence} {method}\r\n");

    /// <summary>What a user agent answers to a request it received: its Via, From, To (tagged), Call-ID, CSeq and Record-Route copied, and a body if given.</summary>
    public static byte[] ResponseTo(byte[] request, string status, string body = "")
    {
        var head = new StringBuilder($"SIP/2.0 {status}\r\n");
        foreach (var line in HeaderLines(Text(request)))
        {
            if (line.StartsWith("To:", StringComparison.Ordinal) && !line.Contains(";tag=", StringComparison.Ordinal))
            {
                head.Append(line).Append(";tag=ua2tag\r\n");
            }
            else if (line.Split(':')[0] is "Via" or "From" or "To" or "Call-ID" or "CSeq" or "Record-Route")
            {
                head.Append(line).Append("\r\n");
            }
        }

        if (body.Length > 0)
        {
            head.Append($"Contact: <{Ua2Contact}>\r\nContent-Type: application/sdp\r\n");
        }

        return Message(head.ToString(), body);
    }

    public static string Text(byte[] message) => Encoding.ASCII.GetString(message);

    public static string Body(string message) => message[(message.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

    /// <summary>The header lines named <paramref name="name"/>, whole.</summary>
    public static List<string> Lines(string message, string name) =>
        [.. HeaderLines(message).Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))];

    /// <summary>The values of the header lines named <paramref name="name"/>.</summary>
    public static List<string> Headers(string message, string name) =>
        [.. Lines(message, name).Select(l => l[(name.Length + 1)..].Trim())];

    /// <summary>The audio port an SDP body names (its <c>m=audio</c> line).</summary>
    public static int AudioPort(string sdp) =>
        int.Parse(sdp.Split("\r\n").First(l => l.StartsWith("m=audio ", StringComparison.Ordinal)).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The address of an SDP body's first <c>c=</c> line.</summary>
    public static string ConnectionAddress(string sdp) =>
        sdp.Split("\r\n").First(l => l.StartsWith("c=IN IP4 ", StringComparison.Ordinal))["c=IN IP4 ".Length..];

    private static IEnumerable<string> HeaderLines(string message) =>
        message[..message.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").Skip(1);

    private static byte[] Message(string head, string body = "") =>
        Encoding.ASCII.GetBytes($"{head}Content-Length: {body.Length}\r\n\r\n{body}");
}
