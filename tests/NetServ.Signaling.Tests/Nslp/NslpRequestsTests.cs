using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

/// <summary>The requests every sender builds are the ones the node's parsers accept.</summary>
[TestFixture]
public sealed class NslpRequestsTests
{
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [TestCase("status", ProbeKind.Status)]
    [TestCase("capabilities", ProbeKind.Capabilities)]
    [TestCase("policies", ProbeKind.Policies)]
    public void Probe_OfANodeReport_TargetsEveryModuleAndNamesTheReport(string subject, ProbeKind kind)
    {
        var request = NslpRequests.Probe(subject);

        Assert.That(ProbeRequest.TryFrom(request, out var probe, out var error), Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Target, Is.EqualTo("*"));
            Assert.That(request.Headers[NslpHeaderNames.Probe], Is.EqualTo(subject));
            Assert.That(probe!.Kind, Is.EqualTo(kind));
        }
    }

    [Test]
    public void Probe_OfAnythingElse_AsksForThatModule()
    {
        var request = NslpRequests.Probe("NetServ.Apps.NetMonitor_1.0.0");

        Assert.That(ProbeRequest.TryFrom(request, out var probe, out var error), Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe!.Kind, Is.EqualTo(ProbeKind.Module));
            Assert.That(probe.Target, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
        }
    }

    [Test]
    public void Probe_ModuleKindWithoutAModule_IsRefused() =>
        Assert.That(() => NslpRequests.Probe(ProbeKind.Module), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void Remove_WithItsUser_IsReadBackByTheNode()
    {
        var request = NslpRequests.Remove("NetServ.Apps.NetMonitor_1.0.0");
        request.Headers[NslpHeaderNames.User] = "alice";

        Assert.That(RemoveRequest.TryFrom(request, out var remove, out var error), Is.True, error);
        Assert.That((remove!.Module.ToString(), remove.User), Is.EqualTo(("NetServ.Apps.NetMonitor_1.0.0", "alice")));
    }

    [Test]
    public void Trigger_CarriesTheInnerRequestWhole_AndItsUser()
    {
        var inner = NslpRequests.Remove("NetServ.Apps.NetMonitor_1.0.0");
        inner.Headers[NslpHeaderNames.User] = "alice";

        var outer = NslpRequests.Trigger(inner);

        Assert.That(NslpCodec.TryParseWhole(outer.Body.Span, out var decoded, out var error), Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outer.Method, Is.EqualTo(NslpMethod.Trigger));
            Assert.That(outer.Target, Is.EqualTo("REMOVE"));
            Assert.That(outer.Headers[NslpHeaderNames.User], Is.EqualTo("alice"));
            Assert.That(decoded, Is.TypeOf<NslpRequest>());
            Assert.That(((NslpRequest)decoded!).Target, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(((NslpRequest)decoded).Headers[NslpHeaderNames.User], Is.EqualTo("alice"));
        }
    }

    [Test]
    public void ModuleSetup_WritesFigureFourHeadersInOrder_AndLeavesOutEmptyOnes()
    {
        var setup = new ModuleSetup("NetServ.Apps.NetMonitor_1.0.0", "alice", new Uri("http://198.18.1.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg"), Digest)
        {
            FilterProtocol = "udp",
            FilterPort = 5060,
            FilterDestination = "198.18.4.0/24",
            Properties = " ",
            TtlSeconds = 600,
        };

        var request = setup.ToRequest();

        Assert.That(request.Headers.Select(h => h.Key), Is.EqualTo(new[]
        {
            NslpHeaderNames.User, NslpHeaderNames.Url, NslpHeaderNames.ModuleDigest,
            NslpHeaderNames.FilterProto, NslpHeaderNames.FilterPort, NslpHeaderNames.FilterDst, NslpHeaderNames.Ttl,
        }));
    }

    [Test]
    public void ModuleSetup_IsReadBackByTheNodesSetupParser()
    {
        var setup = new ModuleSetup("NetServ.Apps.NetMonitor_1.0.0", "alice", new Uri("http://198.18.1.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg"), Digest)
        {
            FilterProtocol = "udp",
            FilterPort = 5060,
            FilterDestination = "198.18.4.0/24",
            Properties = "visualizer_ip=198.18.1.1",
            TtlSeconds = 600,
            Dependencies = "http-server",
        };

        Assert.That(SetupRequest.TryFrom(setup.ToRequest(), out var parsed, out var error), Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed!.Module.ToString(), Is.EqualTo(setup.Module));
            Assert.That(parsed.User, Is.EqualTo("alice"));
            Assert.That(parsed.Url, Is.EqualTo(setup.Url));
            Assert.That(parsed.DigestHex, Is.EqualTo(Digest));
            Assert.That(parsed.FilterProtocol, Is.EqualTo(FilterProtocol.Udp));
            Assert.That(parsed.FilterPort, Is.EqualTo(5060));
            Assert.That(parsed.FilterDestinations, Is.EqualTo(new[] { Ipv4Prefix.Parse("198.18.4.0/24") }));
            Assert.That(parsed.Ttl, Is.EqualTo(TimeSpan.FromSeconds(600)));
            Assert.That(parsed.Dependencies, Is.EqualTo(new[] { "http-server" }));
        }
    }
}
