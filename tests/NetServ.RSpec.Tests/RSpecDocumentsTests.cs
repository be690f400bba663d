using NetServ.Networking;

namespace NetServ.RSpec.Tests;

/// <summary>The request documents under rspecs/: each is valid, stays in the benchmarking range, and matches the local topologies it mirrors.</summary>
[TestFixture]
public sealed class RSpecDocumentsTests
{
    private static readonly Ipv4Prefix BenchmarkingRange = Ipv4Prefix.Parse("198.18.0.0/15");

    private static string RSpecsDirectory { get; } = Path.Combine(RepositoryFiles.Root, "rspecs");

    private static IEnumerable<TestCaseData> Documents() =>
        Directory.EnumerateFiles(RSpecsDirectory).Order(StringComparer.Ordinal)
            .Select(path => new TestCaseData(path).SetArgDisplayNames(Path.GetFileName(path)));

    [Test]
    public void Folder_HoldsTheExperimentsAndLabs()
    {
        Assert.That(
            Directory.EnumerateFiles(RSpecsDirectory).Select(Path.GetFileName),
            Is.SupersetOf(new[] { "evaluation.rspec.xml", "signaling-path.rspec.xml", "lab-netmonitor.rspec.xml" }));
    }

    [TestCaseSource(nameof(Documents))]
    public void Document_IsAValidRequest(string path)
    {
        Assert.That(Path.GetFileName(path), Does.EndWith(".rspec.xml"), "every file in rspecs/ is a request document");
        Assert.DoesNotThrow(() => RSpecFile.Read(path));
    }

    [TestCaseSource(nameof(Documents))]
    public void Document_UsesOnlyTheBenchmarkingRange(string path)
    {
        // A switch's ports carry no address (rspecs/openflow.rspec.xml): the bridge takes their frames.
        var addresses = RSpecFile.Read(path).Nodes.SelectMany(n => n.Interfaces).Where(i => i.Ips.Count > 0).Select(i => i.Ip?.Address).ToArray();

        Assert.That(addresses, Is.Not.Empty);
        Assert.That(addresses, Has.All.Matches<Ipv4Address?>(a => a is { } address && BenchmarkingRange.Contains(address)));
    }

    [TestCaseSource(nameof(Documents))]
    public void Document_RoundTrips(string path)
    {
        var request = RSpecFile.Read(path);

        Assert.That(RSpecSamples.Read(RSpecWriter.Write(request)), Is.EqualTo(request));
    }

    [TestCaseSource(nameof(Documents))]
    public void Document_EveryInterfaceIsOnALinkWithAPeerOnItsSubnet(string path)
    {
        var request = RSpecFile.Read(path);
        var ips = request.Nodes.SelectMany(n => n.Interfaces).ToDictionary(i => i.ClientId, i => i.Ip);

        Assert.That(request.Links.SelectMany(l => l.InterfaceRefs), Is.EquivalentTo(ips.Keys));
        foreach (var link in request.Links)
        {
            Assert.That(link.InterfaceRefs, Has.Count.EqualTo(2), link.ClientId);
            var (a, b) = (ips[link.InterfaceRefs[0]], ips[link.InterfaceRefs[1]]);
            if (a is null || b is null)
            {
                // A switch port (no address) links to one addressed interface.
                Assert.That(a ?? b, Is.Not.Null, link.ClientId);
                continue;
            }

            Assert.That(a.Subnet, Is.EqualTo(b.Subnet), link.ClientId);
        }
    }

    [TestCase("evaluation.rspec.xml")]
    [TestCase("lab-netmonitor.rspec.xml")]
    public void SenderRouterReceiver_HasTheAddressesOfTheLocalTopology(string file)
    {
        // LocalNetwork.CreateSenderRouterReceiver: sender 198.18.0.1/24 - .2 router 198.19.0.2/24 - receiver 198.19.0.1.
        var request = RSpecFile.Read(Path.Combine(RSpecsDirectory, file));

        Assert.That(AddressesByNode(request), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["sender"] = ["198.18.0.1/24"],
            ["router"] = ["198.18.0.2/24", "198.19.0.2/24"],
            ["receiver"] = ["198.19.0.1/24"],
        }));
        Assert.That(request.FindNode("router")!.Executes.Single().Command, Does.Contain("netservd"));
    }

    [Test]
    public void SignalingPath_HasTheAddressesOfCreateLine()
    {
        // LocalNetwork.CreateLine: link i (from 1) is 198.18.i.0/24, the node nearer the provider .1, the other .2.
        var request = RSpecFile.Read(Path.Combine(RSpecsDirectory, "signaling-path.rspec.xml"));

        Assert.That(AddressesByNode(request), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["provider"] = ["198.18.1.1/24"],
            ["a"] = ["198.18.1.2/24", "198.18.2.1/24"],
            ["plain"] = ["198.18.2.2/24", "198.18.3.1/24"],
            ["b"] = ["198.18.3.2/24", "198.18.4.1/24"],
            ["user"] = ["198.18.4.2/24"],
        }));
        Assert.That(request.Nodes.Where(n => n.Executes.Count > 0).Select(n => n.ClientId), Is.EqualTo(new[] { "a", "b" }), "a and b run netservd, plain only forwards");
    }

    // rspecs/geni: written as GENI tools write requests, addresses left to the aggregate or outside the range.
    [TestCase("two-nodes.rspec.xml", 2, 2)]
    [TestCase("lan-three-nodes.rspec.xml", 3, 3)]
    [TestCase("mixed-four-nodes.rspec.xml", 4, 3)]
    public void GeniRequest_IsValidAndRoundTrips(string file, int nodes, int largestLink)
    {
        var request = RSpecFile.Read(Path.Combine(RSpecsDirectory, "geni", file));

        Assert.That(request.Nodes, Has.Count.EqualTo(nodes));
        Assert.That(request.Nodes, Has.All.Matches<RSpecNode>(n => n.ComponentManagerId != null && n.SliverType != null));
        Assert.That(request.Links.Max(l => l.InterfaceRefs.Count), Is.EqualTo(largestLink));
        Assert.That(request.Nodes.SelectMany(n => n.Interfaces).Where(i => i.Ips.Count == 0), Is.Not.Empty, "some interfaces are left to the aggregate");
        Assert.That(RSpecSamples.Read(RSpecWriter.Write(request)), Is.EqualTo(request));
    }

    [Test]
    public void GeniMixedFour_HasInstallAndExecuteServicesAndAddressesOutsideTheRange()
    {
        var request = RSpecFile.Read(Path.Combine(RSpecsDirectory, "geni", "mixed-four-nodes.rspec.xml"));

        Assert.That(request.Nodes.Sum(n => n.Installs.Count), Is.EqualTo(2));
        Assert.That(request.Nodes.Sum(n => n.Executes.Count), Is.EqualTo(4));
        Assert.That(request.Nodes.SelectMany(n => n.Interfaces).Select(i => i.Ip?.Address).OfType<Ipv4Address>(), Has.None.Matches<Ipv4Address>(BenchmarkingRange.Contains));
    }

    private static Dictionary<string, string[]> AddressesByNode(RequestRSpec request) =>
        request.Nodes.ToDictionary(n => n.ClientId, n => n.Interfaces.Select(i => i.Ip!.ToString()).ToArray());
}
