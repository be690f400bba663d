using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

[TestFixture]
public sealed class ModuleRequestsTests
{
    private const string Digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Test]
    public void SetupTryFrom_FullRequest_TypesEveryHeader()
    {
        var request = Setup();
        request.Headers.Add(NslpHeaderNames.FilterProto, "udp");
        request.Headers.Add(NslpHeaderNames.FilterPort, "5060");
        request.Headers.Add(NslpHeaderNames.FilterDst, "198.19.0.0/24, 198.20.1.1");
        request.Headers.Add(NslpHeaderNames.Properties, "visualizer_ip=198.18.0.1,visualizer_port=5678");
        request.Headers.Add(NslpHeaderNames.Ttl, "3600");
        request.Headers.Add(NslpHeaderNames.Dependencies, "packet-dispatcher, server-sockets,,");
        request.Headers.Add(NslpHeaderNames.Notification, " notify-me ");
        request.Headers.Add(NslpHeaderNames.OwnershipPassword, " 3f0c9a61 ");

        var ok = SetupRequest.TryFrom(request, out var setup, out var error);

        Assert.That(ok, Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(setup!.Module, Is.EqualTo(new ModuleName("NetServ.Apps.NetMonitor", "1.0.0")));
            Assert.That(setup.User, Is.EqualTo("alice"));
            Assert.That(setup.Url, Is.EqualTo(new Uri("http://198.18.0.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg")));
            Assert.That(setup.Digest, Is.EqualTo(Convert.FromHexString(Digest)));
            Assert.That(setup.DigestHex, Is.EqualTo(Digest));
            Assert.That(setup.HasFilter, Is.True);
            Assert.That(setup.FilterProtocol, Is.EqualTo(FilterProtocol.Udp));
            Assert.That(setup.FilterPort, Is.EqualTo(5060));
            Assert.That(setup.FilterDestinations, Is.EqualTo(new[] { Ipv4Prefix.Parse("198.19.0.0/24"), Ipv4Prefix.Parse("198.20.1.1/32") }));
            Assert.That(setup.Properties["visualizer_port"], Is.EqualTo("5678"));
            Assert.That(setup.Ttl, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(setup.Dependencies, Is.EqualTo(new[] { "packet-dispatcher", "server-sockets" }));
            Assert.That(setup.Notification, Is.EqualTo("notify-me"));
            Assert.That(setup.OwnershipPassword, Is.EqualTo("3f0c9a61"));
        }
    }

    [Test]
    public void SetupTryFrom_MinimalRequest_HasNoFilterAndDefaults()
    {
        var ok = SetupRequest.TryFrom(Setup(), out var setup, out var error);

        Assert.That(ok, Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(setup!.HasFilter, Is.False);
            Assert.That(setup.FilterProtocol, Is.EqualTo(FilterProtocol.Any));
            Assert.That(setup.FilterPort, Is.Null);
            Assert.That(setup.FilterDestinations, Is.Empty);
            Assert.That(setup.Properties, Is.Empty);
            Assert.That(setup.Ttl, Is.Null);
            Assert.That(setup.Dependencies, Is.Empty);
            Assert.That(setup.Notification, Is.Null);
            Assert.That(setup.OwnershipPassword, Is.Null);
        }
    }

    [Test]
    public void SetupTryFrom_Figure4_IsRefusedForWantOfADigest()
    {
        NslpCodec.TryParse(System.Text.Encoding.UTF8.GetBytes(NslpCodecTests.Figure4), out _, out var message, out _);

        var ok = SetupRequest.TryFrom((NslpRequest)message!, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain("module-digest"));
        }
    }

    [TestCase(NslpHeaderNames.User, null, "user header is missing")]
    [TestCase(NslpHeaderNames.User, "  ", "user header is missing")]
    [TestCase(NslpHeaderNames.Url, null, "url header is missing")]
    [TestCase(NslpHeaderNames.Url, "ftp://198.18.0.1/x.nupkg", "not an absolute http or https URL")]
    [TestCase(NslpHeaderNames.Url, "file:///etc/passwd", "not an absolute http or https URL")]
    [TestCase(NslpHeaderNames.Url, "/modules/x.nupkg", "not an absolute http or https URL")]
    [TestCase(NslpHeaderNames.Url, "x.nupkg", "not an absolute http or https URL")]
    [TestCase(NslpHeaderNames.ModuleDigest, null, "module-digest header is missing")]
    [TestCase(NslpHeaderNames.ModuleDigest, "9f86d081", "not a SHA-256 digest")]
    [TestCase(NslpHeaderNames.ModuleDigest, Digest + "00", "not a SHA-256 digest")]
    [TestCase(NslpHeaderNames.ModuleDigest, "sha1:" + Digest, "not a SHA-256 digest")]
    [TestCase(NslpHeaderNames.ModuleDigest, "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "not a SHA-256 digest")]
    [TestCase(NslpHeaderNames.Ttl, "0", "ttl")]
    [TestCase(NslpHeaderNames.Ttl, "-5", "ttl")]
    [TestCase(NslpHeaderNames.Ttl, "1h", "ttl")]
    [TestCase(NslpHeaderNames.Ttl, "99999999999", "ttl")]
    [TestCase(NslpHeaderNames.FilterProto, "icmp", "filter-proto")]
    [TestCase(NslpHeaderNames.FilterPort, "5060", "filter-port needs filter-proto")]
    [TestCase(NslpHeaderNames.FilterDst, "198.19.0.0/33", "filter-dst '198.19.0.0/33'")]
    [TestCase(NslpHeaderNames.FilterDst, "198.19.0.0/24,example.com", "filter-dst 'example.com'")]
    [TestCase(NslpHeaderNames.Properties, "novalue", "properties:")]
    [TestCase(NslpHeaderNames.Properties, "a=1,a=2", "properties:")]
    public void SetupTryFrom_BadHeader_FailsNamingIt(string header, string? value, string reason)
    {
        var request = Setup();
        request.Headers[header] = value;

        var ok = SetupRequest.TryFrom(request, out var setup, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(setup, Is.Null);
            Assert.That(error, Does.Contain(reason));
        }
    }

    [TestCase("0")]
    [TestCase("65536")]
    [TestCase("http")]
    [TestCase("-1")]
    public void SetupTryFrom_FilterPortNotAPort_Fails(string port)
    {
        var request = Setup();
        request.Headers.Add(NslpHeaderNames.FilterProto, "tcp");
        request.Headers.Add(NslpHeaderNames.FilterPort, port);

        var ok = SetupRequest.TryFrom(request, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain($"filter-port '{port}'"));
        }
    }

    [TestCase("sha256:" + Digest)]
    [TestCase("SHA256:" + Digest)]
    [TestCase("  " + Digest + "  ")]
    [TestCase("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")]
    public void SetupTryFrom_DigestSpellings_AllGiveTheSameBytes(string digest)
    {
        var request = Setup();
        request.Headers[NslpHeaderNames.ModuleDigest] = digest;

        var ok = SetupRequest.TryFrom(request, out var setup, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True, error);
            Assert.That(setup!.DigestHex, Is.EqualTo(Digest));
        }
    }

    [TestCase("https://modules.example/x.nupkg")]
    [TestCase("HTTP://198.18.0.1/x.nupkg")]
    public void SetupTryFrom_HttpOrHttpsUrl_IsAccepted(string url)
    {
        var request = Setup();
        request.Headers[NslpHeaderNames.Url] = url;

        Assert.That(SetupRequest.TryFrom(request, out _, out var error), Is.True, error);
    }

    [Test]
    public void SetupTryFrom_OnlyFilterDst_IsAFilterForEveryProtocol()
    {
        var request = Setup();
        request.Headers.Add(NslpHeaderNames.FilterDst, "198.19.0.0/16");

        SetupRequest.TryFrom(request, out var setup, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(setup!.HasFilter, Is.True);
            Assert.That(setup.FilterProtocol, Is.EqualTo(FilterProtocol.Any));
            Assert.That(setup.FilterDestinations, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void SetupTryFrom_OnlyFilterProto_IsAFilterOnTheUsersPrefixes()
    {
        var request = Setup();
        request.Headers.Add(NslpHeaderNames.FilterProto, "tcp");

        SetupRequest.TryFrom(request, out var setup, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(setup!.HasFilter, Is.True);
            Assert.That(setup.FilterProtocol, Is.EqualTo(FilterProtocol.Tcp));
            Assert.That(setup.FilterDestinations, Is.Empty, "empty means the user's allowed prefixes");
        }
    }

    [Test]
    public void SetupTryFrom_BadModuleName_Fails()
    {
        var request = new NslpRequest(NslpMethod.Setup, "NoVersion");
        request.Headers.Add(NslpHeaderNames.User, "alice");

        var ok = SetupRequest.TryFrom(request, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain("NoVersion"));
        }
    }

    [Test]
    public void SetupTryFrom_NotASetup_Fails()
    {
        var request = new NslpRequest(NslpMethod.Remove, "NetServ.Apps.NetMonitor_1.0.0");

        Assert.That(SetupRequest.TryFrom(request, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("not a SETUP"));
    }

    [Test]
    public void RemoveTryFrom_ModuleAndUser_AreTyped()
    {
        var request = new NslpRequest(NslpMethod.Remove, "NetServ.Apps.NetMonitor_1.0.0");
        request.Headers.Add(NslpHeaderNames.User, " bob ");

        var ok = RemoveRequest.TryFrom(request, out var remove, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True, error);
            Assert.That(remove!.Module.ToString(), Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(remove.User, Is.EqualTo("bob"));
        }
    }

    [Test]
    public void RemoveTryFrom_NoUser_Fails()
    {
        var request = new NslpRequest(NslpMethod.Remove, "NetServ.Apps.NetMonitor_1.0.0");

        Assert.That(RemoveRequest.TryFrom(request, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("user"));
    }

    [Test]
    public void RemoveTryFrom_BadModuleName_Fails()
    {
        var request = new NslpRequest(NslpMethod.Remove, "*");
        request.Headers.Add(NslpHeaderNames.User, "bob");

        Assert.That(RemoveRequest.TryFrom(request, out _, out _), Is.False);
    }

    [Test]
    public void RemoveTryFrom_NotARemove_Fails()
    {
        Assert.That(RemoveRequest.TryFrom(Setup(), out _, out var error), Is.False);
        Assert.That(error, Does.Contain("not a REMOVE"));
    }

    [TestCase(null, ProbeKind.Status)]
    [TestCase("", ProbeKind.Status)]
    [TestCase("status", ProbeKind.Status)]
    [TestCase("Capabilities", ProbeKind.Capabilities)]
    [TestCase("POLICIES", ProbeKind.Policies)]
    public void ProbeTryFrom_Kind_DefaultsToStatus(string? kind, ProbeKind expected)
    {
        var request = new NslpRequest(NslpMethod.Probe, "*");
        request.Headers[NslpHeaderNames.Probe] = kind;

        var ok = ProbeRequest.TryFrom(request, out var probe, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.True, error);
            Assert.That(probe!.Kind, Is.EqualTo(expected));
            Assert.That(probe.Target, Is.EqualTo("*"));
            Assert.That(probe.User, Is.Null);
        }
    }

    [Test]
    public void ProbeTryFrom_ModuleKind_NeedsAModuleNameTarget()
    {
        var good = new NslpRequest(NslpMethod.Probe, "NetServ.Apps.NetMonitor_1.0.0");
        good.Headers.Add(NslpHeaderNames.Probe, "module");
        good.Headers.Add(NslpHeaderNames.User, "alice");
        var bad = new NslpRequest(NslpMethod.Probe, "*");
        bad.Headers.Add(NslpHeaderNames.Probe, "module");

        var goodOk = ProbeRequest.TryFrom(good, out var probe, out _);
        var badOk = ProbeRequest.TryFrom(bad, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(goodOk, Is.True);
            Assert.That(probe!.Kind, Is.EqualTo(ProbeKind.Module));
            Assert.That(probe.User, Is.EqualTo("alice"));
            Assert.That(badOk, Is.False);
            Assert.That(error, Does.Contain("'*'"));
        }
    }

    [Test]
    public void ProbeTryFrom_UnknownKind_Fails()
    {
        var request = new NslpRequest(NslpMethod.Probe, "*");
        request.Headers.Add(NslpHeaderNames.Probe, "secrets");

        Assert.That(ProbeRequest.TryFrom(request, out _, out var error), Is.False);
        Assert.That(error, Does.Contain("'secrets'"));
    }

    [Test]
    public void ProbeTryFrom_NotAProbe_Fails()
    {
        Assert.That(ProbeRequest.TryFrom(Setup(), out _, out var error), Is.False);
        Assert.That(error, Does.Contain("not a PROBE"));
    }

    private static NslpRequest Setup()
    {
        var request = new NslpRequest(NslpMethod.Setup, "NetServ.Apps.NetMonitor_1.0.0");
        request.Headers.Add(NslpHeaderNames.User, "alice");
        request.Headers.Add(NslpHeaderNames.Url, "http://198.18.0.1:8080/NetServ.Apps.NetMonitor.1.0.0.nupkg");
        request.Headers.Add(NslpHeaderNames.ModuleDigest, Digest);
        return request;
    }
}
