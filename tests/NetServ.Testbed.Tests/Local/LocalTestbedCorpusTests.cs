using System.Net;
using NetServ.Testbed.Local;
using NetServ.Traffic;
using NetServ.TestSupport.Traffic;

namespace NetServ.Testbed.Tests.Local;

/// <summary>
/// Requests in the shapes public requests take (the RSpec tests' corpus), realised as root: what the
/// local testbed accepts it builds so that traffic flows between the hosts the request links.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalTestbedCorpusTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    // Editors' empty ip types; a delay node and a GRE tunnel (realised as a plain router and a veth
    // pair); geni-lib's LAN of two with its link first.
    [TestCase("editor-empty-ip-type.rspec.xml", "host1", "host2")]
    [TestCase("not-realised-here.rspec.xml", "left", "right")]
    [TestCase("geni-lib-lan-shaping.rspec.xml", "node-0", "node-1")]
    public async Task Realise_CorpusRequest_HostsReachEachOtherBothWays(string file, string one, string other)
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Corpus(file));

        AssertReaches(testbed, one, other);
        AssertReaches(testbed, other, one);
    }

    [Test]
    public async Task Realise_DualStack_ConfiguresTheIpv4AddressesAndTheyCarryTraffic()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Corpus("dual-stack.rspec.xml"));

        AssertReaches(testbed, "a", "b");
        Assert.That(testbed["a"].Namespace.ExecChecked("ip", "-o", "address", "show", "dev", "eth0").StandardOutput, Does.Contain("198.18.10.1/24").And.Not.Contain("2001:db8"));
    }

    [Test]
    public async Task Realise_ShellsByPath_RunTheServicesWithThisMachinesShells()
    {
        using var testbed = await LocalTestbed.RealiseAsync(TestRequests.Corpus("execute-shell-paths.rspec.xml"));

        var results = testbed["a"].ServiceResults;
        Assert.That(results.Select(r => (r.Service.Shell, r.Succeeded, r.StandardOutput.Trim())), Is.EqualTo(new[] { ("/bin/sh", true, "sh"), ("/bin/bash", true, "bash") }));
    }

    [Test]
    public void Realise_SwitchBetweenLinks_IsRefusedBeforeAnythingIsCreated()
    {
        var error = Assert.ThrowsAsync<LocalTestbedException>(() => LocalTestbed.RealiseAsync(
            TestRequests.Corpus("switch-between-links.rspec.xml"), new LocalTestbedOptions { NetworkId = "rs17sw" }));

        Assert.That(error!.Message, Does.Contain("node 'switch'").And.Contain("does not bridge between separate links"));
        Assert.That(Directory.Exists("/run/netns") ? Directory.EnumerateFiles("/run/netns", "ns-rs17sw-*") : [], Is.Empty);
    }

    /// <summary>Sends numbered UDP datagrams from <paramref name="from"/>'s first address to <paramref name="to"/>'s and checks every one arrives.</summary>
    private static void AssertReaches(LocalTestbed testbed, string from, string to)
    {
        const int Count = 10;
        var source = testbed[from];
        var destination = testbed[to];
        var endPoint = new IPEndPoint(destination.Address.ToIPAddress(), 40017);
        using var receiver = UdpReceiver.Start(destination.Namespace, endPoint);

        UdpSender.Send(source.Namespace, endPoint, UdpSender.Numbered($"{from}-{to}", Count), 1000);

        Assert.That(receiver.WaitFor(Count, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)), Is.EqualTo(Count), $"{from} -> {to}");
        Assert.That(receiver.Senders.Select(s => s.Address).Distinct(), Is.EqualTo(new[] { source.Address.ToIPAddress() }), $"{from} -> {to}");
    }
}
