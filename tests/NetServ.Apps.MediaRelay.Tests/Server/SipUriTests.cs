using NetServ.Apps.MediaRelay.Server;

namespace NetServ.Apps.MediaRelay.Tests.Server;

public sealed class SipUriTests
{
    [TestCase("<sip:ua1@itsp;tag=uri>;tag=header", "header")]
    [TestCase("\"A;tag=x\" <sip:ua1@itsp>;tag=a1", "a1")]
    [TestCase("sip:ua1@itsp;tag=a1", "a1")]
    [TestCase("<sip:ua1@itsp;tag=uri>", null)]
    [TestCase("<sip:ua1@itsp>;TAG=a1", "a1")]
    public void Parameter_Tag_ReadsTheHeaderParameterNotTheUris(string value, string? expected) =>
        Assert.That(SipUri.Parameter(value, "tag"), Is.EqualTo(expected));

    [Test]
    public void Parameter_BranchOfAViaList_IsTheTopOnes() =>
        Assert.That(SipUri.Parameter("SIP/2.0/UDP a:5060;branch=z9hG4bKtop, SIP/2.0/UDP b;branch=z9hG4bKnext", "branch"), Is.EqualTo("z9hG4bKtop"));

    [Test]
    public void FirstElement_RouteList_SplitsOutsideBrackets()
    {
        var first = SipUri.FirstElement("<sip:a;lr;x=1,2>, <sip:b;lr>", out var rest);
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("<sip:a;lr;x=1,2>"));
            Assert.That(rest, Is.EqualTo("<sip:b;lr>"));
        });
    }

    [TestCase("sip:bob@itsp", "bob")]
    [TestCase("sip:bob:secret@itsp;transport=udp", "bob")]
    [TestCase("sips:bob@198.18.2.2:5060", "bob")]
    [TestCase("sip:itsp", null)]
    [TestCase("sip:@itsp", null)]
    [TestCase("garbage", null)]
    public void UserOf_RequestUri_IsTheUserPart(string uri, string? expected) =>
        Assert.That(SipUri.UserOf(uri), Is.EqualTo(expected));

    [TestCase("\"Alice\" <sip:alice@itsp>;tag=1", "sip:alice@itsp")]
    [TestCase("sip:alice@itsp;tag=1", "sip:alice@itsp")]
    [TestCase("<sip:alice@itsp", "")]
    public void AddressOf_NameAddr_IsTheUri(string value, string expected) =>
        Assert.That(SipUri.AddressOf(value), Is.EqualTo(expected));
}
