using System.Text;
using System.Text.RegularExpressions;
using NetServ.Sdk;
using NetServ.Sdk.Testing;

namespace NetServ.TestSupport.Sip;

/// <summary>What the SIP modules' replies on behalf of the server have in common (the KeepAlive Responder's 200 OK, Overload Control's 503).</summary>
public static class SipModuleReplies
{
    /// <summary>
    /// Asserts that <paramref name="sent"/>, the packet a module sent to answer <paramref name="request"/> — a
    /// request of the tests' user agent, with its Via <c>SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-1;rport</c>
    /// and alice's From with tag a1 — goes from the server's address and port to the user agent's with valid
    /// checksums, and carries <paramref name="statusLine"/>, that Via with <c>received</c> and <c>rport</c>
    /// filled in, From by its full name, the request's To with a tag added, its Call-ID and CSeq, and
    /// headers that end with <paramref name="ending"/>.
    /// </summary>
    public static void AssertFromServerToUa(byte[] sent, string request, string statusLine, string ending)
    {
        var reply = new Packet(sent);
        var sip = Encoding.ASCII.GetString(reply.Payload);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((reply.Source, reply.Destination), Is.EqualTo((SipTestPackets.ServerAddress, SipTestPackets.UaAddress)));
            Assert.That((reply.SourcePort, reply.DestinationPort), Is.EqualTo(((int)SipTestPackets.ServerPort, (int)SipTestPackets.UaPort)));
            Assert.That(TestPackets.HasValidChecksums(sent), Is.True);
            Assert.That(sip, Does.StartWith(statusLine + "\r\n"));
            Assert.That(sip, Does.Contain("\r\nVia: SIP/2.0/UDP 198.18.0.1:40000;branch=z9hG4bK-1;received=198.18.0.1;rport=40000\r\n"), "RFC 3581 section 4: rport filled in, with received");
            Assert.That(sip, Does.Contain("\r\nFrom: <sip:alice@198.18.0.1>;tag=a1\r\n"));
            Assert.That(sip, Does.Match(@"\r\n" + Regex.Escape(Header(request, "To: ")) + @";tag=[0-9a-f]{16}\r\n"));
            Assert.That(sip, Does.Contain($"\r\n{Header(request, "Call-ID: ")}\r\n{Header(request, "CSeq: ")}\r\n"));
            Assert.That(sip, Does.EndWith(ending));
        }
    }

    private static string Header(string request, string start) =>
        request.Split("\r\n").Single(line => line.StartsWith(start, StringComparison.Ordinal));
}
