using NetServ.Networking;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Local;

namespace NetServ.Testbed.Tests.Local;

/// <summary>Requests written as GENI requests are (rspecs/geni), realised as root: LANs, chosen and remapped addresses, and nothing left after.</summary>
[TestFixture]
[NonParallelizable]
public sealed class LocalTestbedLanTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check("ping");

    [Test]
    public async Task Realise_LanOfThreeWithoutAddresses_EveryHostPingsEveryOtherAndReleaseLeavesNothing()
    {
        const string Tag = "rs11ln";
        var testbed = await LocalTestbed.RealiseAsync(TestRequests.Load("geni/lan-three-nodes.rspec.xml"), new LocalTestbedOptions { NetworkId = Tag });
        string[] recorded;
        try
        {
            var addresses = testbed.Nodes.Select(n => n.Address).ToArray();
            Assert.That(addresses, Has.All.Matches<Ipv4Address>(a => LocalNetwork.BenchmarkingRange.Contains(a)));
            Assert.That(testbed.AssignedAddresses, Has.Count.EqualTo(3));
            foreach (var from in testbed.Nodes)
            {
                foreach (var to in testbed.Nodes.Where(n => n != from))
                {
                    var ping = from.Namespace.Exec("ping", "-c", "1", "-W", "2", to.Address.ToString());
                    Assert.That(ping.ExitCode, Is.Zero, $"{from.ClientId} -> {to.ClientId} ({to.Address}): {ping.StandardOutput}{ping.StandardError}");
                }
            }

            var lan = $"ns-{Tag}-lan-lan0";
            Assert.That(NetworkNamespace.List($"ns-{Tag}-"), Does.Contain(lan));
            Assert.That(testbed.Network.LanNamespaces.Single().ExecChecked("ip", "-o", "link", "show", "master", "br0").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
            recorded = [.. LabRunRecord.Current.Resources.Where(r => r.Kind == RunResourceKind.Namespace && r.Value.StartsWith($"ns-{Tag}-", StringComparison.Ordinal)).Select(r => r.Value)];
            Assert.That(recorded, Does.Contain(lan), "the LAN's namespace is in the run record, so clean removes it after a killed run");
        }
        finally
        {
            testbed.Dispose();
        }

        Assert.That(NetworkNamespace.List($"ns-{Tag}-"), Is.Empty);
        Assert.That(LabRunRecord.Current.Resources.Where(r => r.Value.StartsWith($"ns-{Tag}-", StringComparison.Ordinal)), Is.Empty);
        Assert.That(recorded, Has.Length.EqualTo(4));
    }

    [Test]
    public async Task Realise_MixedFourRemapped_RunsTheExecuteServicesWithTheMappedAddresses()
    {
        const string Tag = "rs11mx";
        using var testbed = await LocalTestbed.RealiseAsync(
            TestRequests.Load("geni/mixed-four-nodes.rspec.xml"), new LocalTestbedOptions { NetworkId = Tag, RemapAddresses = true });

        var services = testbed.Nodes.SelectMany(n => n.ServiceResults).ToArray();
        Assert.That(services.Select(s => s.Service.Command), Has.Some.EqualTo("ping -c 1 -W 5 198.18.0.2"));
        Assert.That(services.Where(s => !s.Succeeded).Select(s => $"{s.NodeClientId}: {s.Service.Command}: {s.StandardOutput}{s.StandardError}"), Is.Empty);
        Assert.That(testbed.Nodes.SelectMany(n => n.Interfaces).Select(i => i.Address), Has.All.Matches<Ipv4Address>(a => LocalNetwork.BenchmarkingRange.Contains(a)));
    }

    [Test]
    public void Realise_MixedFourWithoutRemapping_IsRefusedNamingTheOptionBeforeAnythingIsCreated()
    {
        const string Tag = "rs11nr";
        var error = Assert.ThrowsAsync<LocalTestbedException>(() => LocalTestbed.RealiseAsync(
            TestRequests.Load("geni/mixed-four-nodes.rspec.xml"), new LocalTestbedOptions { NetworkId = Tag }));

        Assert.That(error!.Message, Does.Contain("--remap-addresses"));
        Assert.That(NetworkNamespace.List($"ns-{Tag}-"), Is.Empty);
    }
}
