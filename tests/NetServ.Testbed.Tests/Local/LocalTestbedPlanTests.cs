using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Testbed.Local;

namespace NetServ.Testbed.Tests.Local;

/// <summary>Checking and planning a request before anything is created: no root needed.</summary>
[TestFixture]
public sealed class LocalTestbedPlanTests
{
    [Test]
    public void Create_EvaluationRequest_PlansANamespacePerNodeAndAPairPerLink()
    {
        var plan = LocalTestbedPlan.Create(TestRequests.Evaluation);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plan.Nodes.Select(n => n.HostName), Is.EqualTo(new[] { "sender", "router", "receiver" }));
            Assert.That(plan.Nodes[1].Interfaces.Select(i => (i.ClientId, i.Device, i.Ip.ToString())), Is.EqualTo(new[]
            {
                ("router:if0", "eth0", "198.18.0.2/24"),
                ("router:if1", "eth1", "198.19.0.2/24"),
            }));
            Assert.That(plan.Links.Select(l => (l.A.ClientId, l.AEnd.Device, l.B.ClientId, l.BEnd.Device)), Is.EqualTo(new[]
            {
                ("sender", "eth0", "router", "eth0"),
                ("router", "eth1", "receiver", "eth0"),
            }));
        }
    }

    [Test]
    public void Create_OpenFlowRequest_PlansTheSwitchNodeAsAnOpenVSwitchWithAPortPerUnaddressedInterface()
    {
        var plan = LocalTestbedPlan.Create(TestRequests.Load("openflow.rspec.xml"));

        var planned = plan.Switches.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(planned.Node.ClientId, Is.EqualTo("switch"));
            Assert.That(planned.Ports.Select(p => (p.Number, p.Device, p.Peer.ClientId, p.PeerEnd.Ip.ToString())), Is.EqualTo(new[]
            {
                (1u, "p1", "sender", "198.18.10.1/24"),
                (2u, "p2", "receiver", "198.18.10.2/24"),
                (3u, "p3", "ns1", "198.18.10.11/24"),
                (4u, "p4", "ns2", "198.18.10.12/24"),
            }));
            Assert.That(planned.Definition.Controller?.ToString(), Is.EqualTo("tcp:198.19.10.2:6653"));
            Assert.That(planned.Node.Interfaces.Select(i => (i.ClientId, i.Device)), Is.EqualTo(new[] { ("switch:ctl", "eth0") }), "the ports are no addressed interfaces");
            Assert.That(plan.Assigned, Is.Empty, "no address is chosen for a switch port");
            Assert.That(plan.Links.Select(l => l.ClientId), Is.EqualTo(new[] { "switch-controller" }), "only the control link is a plain veth pair");
        }
    }

    [Test]
    public void Create_SwitchWithoutController_IsRefusedSayingWhatTheServiceMustName()
    {
        var request = TestRequests.WithExecutes(TestRequests.Load("openflow.rspec.xml"), "switch", new ExecuteService("sh", "ovs-vsctl add-br br0"));

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Has.Some.Contains("names no controller (set-controller BRIDGE tcp:ADDRESS:PORT)"));
    }

    [Test]
    public void Create_AddressOutsideTheBenchmarkingRange_IsRefusedNamingTheInterface()
    {
        var request = TestRequests.WithAddress(TestRequests.Evaluation, "receiver:if0", "10.0.0.1", 24);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Has.Some.EqualTo(
            "interface 'receiver:if0' of node 'receiver': 10.0.0.1 is outside 198.18.0.0/15: local testbeds use only RFC 2544's benchmarking range; " +
            "--remap-addresses maps each subnet outside it into it (and the execute services' command lines with it)"));
    }

    [Test]
    public void Create_LinkOfThreeInterfaces_IsALanBridgeInANamespaceOfItsOwn()
    {
        var request = Request(
            [Node("a", ("a:if0", "198.18.0.1")), Node("b", ("b:if0", "198.18.0.2")), Node("c", ("c:if0", "198.18.0.3"))],
            [new RSpecLink("lan", ["a:if0", "b:if0", "c:if0"], "lan", [])]);

        var plan = LocalTestbedPlan.Create(request);

        Assert.That(plan.Links, Is.Empty);
        Assert.That(plan.Lans.Select(l => (l.ClientId, l.HostName, string.Join(" ", l.Members.Select(m => $"{m.Node.ClientId}:{m.End.Device}")))),
            Is.EqualTo(new[] { ("lan", "lan-lan", "a:eth0 b:eth0 c:eth0") }));
    }

    [Test]
    public void Create_LanAcrossSubnets_IsRefused()
    {
        var request = Request(
            [Node("a", ("a:if0", "198.18.0.1")), Node("b", ("b:if0", "198.18.0.2")), Node("c", ("c:if0", "198.18.1.3"))],
            [new RSpecLink("lan", ["a:if0", "b:if0", "c:if0"], "lan", [])]);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Is.EqualTo(new[] { "LAN 'lan' joins 198.18.0.1/24, 198.18.0.2/24 and 198.18.1.3/24, which are not on one subnet" }));
    }

    [Test]
    public void Create_LanNamedAsANode_GetsADistinctNamespaceName()
    {
        var request = Request(
            [Node("lan-x", ("a:if0", "198.18.0.1")), Node("b", ("b:if0", "198.18.0.2")), Node("c", ("c:if0", "198.18.0.3"))],
            [new RSpecLink("x", ["a:if0", "b:if0", "c:if0"], "lan", [])]);

        var plan = LocalTestbedPlan.Create(request);

        Assert.That(plan.Lans.Single().HostName, Is.Not.EqualTo("lan-x").And.StartsWith("lan-x"));
    }

    [Test]
    public void Create_LinkAcrossSubnets_IsRefused()
    {
        var request = Request(
            [Node("a", ("a:if0", "198.18.0.1")), Node("b", ("b:if0", "198.18.1.2"))],
            [new RSpecLink("l", ["a:if0", "b:if0"], null, [])]);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Message, Does.Contain("joins 198.18.0.1/24 and 198.18.1.2/24, which are not on one subnet"));
    }

    [Test]
    public void Create_InterfaceWithoutIpOrLink_IsRefusedAsOnNoLink()
    {
        var request = Request(
            [
                new RSpecNode("a", null, null, null, [], [], [new RSpecInterface("a:if0", [])]),
                Node("b", ("b:if0", "198.18.0.2")),
            ],
            []);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Is.EqualTo(new[]
        {
            "interface 'a:if0' of node 'a' is on no link: the local testbed makes interfaces as the ends of links",
            "interface 'b:if0' of node 'b' is on no link: the local testbed makes interfaces as the ends of links",
        }));
    }

    [Test]
    public void Create_SameAddressOnTwoInterfaces_IsRefused()
    {
        var request = Request(
            [Node("a", ("a:if0", "198.18.0.1")), Node("b", ("b:if0", "198.18.0.1"))],
            [new RSpecLink("l", ["a:if0", "b:if0"], null, [])]);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Is.EqualTo(new[] { "interfaces 'a:if0' and 'b:if0' have the same address 198.18.0.1" }));
    }

    [Test]
    public void Create_ShellOtherThanShOrBash_IsRefused()
    {
        var request = TestRequests.WithExecutes(TestRequests.Evaluation, "router", new ExecuteService("python3", "print(1)"));

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Message, Does.Contain("shell 'python3'"));
    }

    [Test]
    public void Create_SeveralProblems_AreAllListed()
    {
        var request = TestRequests.WithAddress(TestRequests.Evaluation, "sender:if0", "192.0.2.1", 24);
        request = TestRequests.WithExecutes(request, "router", new ExecuteService("zsh", "true"));

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        // The sender's address is outside the range and no longer on its peer's subnet; the shell is unknown.
        Assert.That(error!.Problems, Has.Count.EqualTo(3));
        Assert.That(error.Message, Does.StartWith("the request cannot be realised on the local testbed:\n  - "));
    }

    [Test]
    public void Create_ClientIdsThatAreNoFileNames_GetSafeDistinctNamespaceNames()
    {
        var request = Request(
            [Node("n/1", ("x", "198.18.0.1")), Node("n:1", ("y", "198.18.0.2")), Node("", ("z", "198.18.0.3")), Node("ünï", ("w", "198.18.0.4"))],
            [new RSpecLink("l1", ["x", "y"], null, []), new RSpecLink("l2", ["z", "w"], null, [])]);

        var plan = LocalTestbedPlan.Create(request);

        Assert.That(plan.Nodes.Select(n => n.HostName), Is.EqualTo(new[] { "n-1", "n-1-1", "node", "-n-" }));
    }

    [Test]
    public void Create_LinkOfOneInterface_SaysInterfaceInTheSingular()
    {
        var request = Request([Node("a", ("a:if0", "198.18.0.1"))], [new RSpecLink("l", ["a:if0"], null, [])]);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems.Single(), Does.StartWith("link 'l' joins 1 interface: "));
    }

    [Test]
    public void Create_ShellsByPath_ArePlanned()
    {
        var plan = LocalTestbedPlan.Create(TestRequests.Corpus("execute-shell-paths.rspec.xml"));

        Assert.That(plan.Nodes[0].Definition.Executes.Select(e => LocalTestbedPlan.ShellToRun(e.Shell)), Is.EqualTo(new[] { "sh", "bash" }));
    }

    [Test]
    public void Create_SeveralUnknownShellsOnANode_AreOneProblem()
    {
        var request = TestRequests.WithExecutes(
            TestRequests.Evaluation, "router", new ExecuteService("zsh", "true"), new ExecuteService("/bin/csh", "true"), new ExecuteService("zsh", "false"));

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Is.EqualTo(new[]
        {
            "node 'router': execute services name shells 'zsh' and '/bin/csh'; the local testbed runs sh or bash, by name or by path (such as /bin/sh)",
        }));
    }

    [Test]
    public void Check_SwitchBetweenTwoLinksOnOneSubnet_IsRefusedNamingTheNodeAndWhatToDo()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Corpus("switch-between-links.rspec.xml"));

        Assert.That(check.Problems, Is.EqualTo(new[]
        {
            new LocalTestbedFinding(
                "switch",
                "node 'switch' has 198.18.4.11/24 (link 'link-1') and 198.18.4.12/24 (link 'link-2') on one subnet 198.18.4.0/24: it would have to switch between " +
                "those links, and the local testbed does not bridge between separate links, so the hosts on them could not reach each other. Put those hosts " +
                "in one LAN link on an aggregate, or give each link its own subnet here"),
        }));
    }

    [Test]
    public void Check_OpenFlowOnly_HasNothingToRealiseAndSaysSo()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Corpus("openflow-only.rspec.xml"));

        Assert.That(check.CanRealise, Is.False);
        Assert.That(check.Problems.Select(p => p.Message), Is.EqualTo(new[] { "the request has no nodes: the local testbed realises nodes and the links between them, and there is nothing of that here" }));
        Assert.That(check.NotRealised.Select(p => p.Message), Is.EqualTo(new[] { "<openflow:sliver> is not realised: the local testbed realises nodes and links only" }));
    }

    [Test]
    public void Check_ShapingDelayNodeTunnelAndControlAddress_AreRealisedWithoutThemAndListed()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Corpus("not-realised-here.rspec.xml"));

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That(check.NotRealised, Is.EqualTo(new[]
        {
            new LocalTestbedFinding("left", "node 'left' asks for a routable control address: local nodes have no control network, only the request's links"),
            new LocalTestbedFinding("shaper", "node 'shaper' is a delay node (sliver_type 'delay'): the local testbed makes it a plain node that routes between its links, without delaying or shaping"),
            new LocalTestbedFinding("shaped", "link 'shaped': capacity 10000 kbps, latency 20 ms and loss 0.01 from 'left:if0' to 'shaper:if0' not applied: the local testbed does not shape links"),
            new LocalTestbedFinding("tunnel", "link 'tunnel' is a gre-tunnel: the local testbed makes it a plain veth pair"),
        }));
        Assert.That((check.Namespaces, check.VethPairs), Is.EqualTo((3, 2)));
    }

    [Test]
    public void Check_GeniLibLanOfTwo_IsAVethPairWithoutItsShaping()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Corpus("geni-lib-lan-shaping.rspec.xml"));

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That(check.NotRealised.Select(f => f.Message), Is.EqualTo(new[]
        {
            "link 'lan0': capacity 1000000 kbps and latency 10 ms from 'node-0:if0' to 'lan0'; capacity 1000000 kbps and latency 10 ms from 'node-1:if0' to 'lan0' not applied: the local testbed does not shape links",
            "link 'lan0': <emulab:vlan_tagging> kept but not acted on",
        }));
    }

    [Test]
    public void Check_IpsWithoutNetmaskOrAddress_AreRefusedAsALocalLimitation()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Corpus("ip-without-netmask.rspec.xml"));

        Assert.That(check.Problems.Select(p => (p.Subject, p.Message)), Is.EqualTo(new[]
        {
            ("a:if0", "interface 'a:if0' of node 'a': 198.18.2.1 has no netmask, and the local testbed configures only addresses given with one (add netmask=\"255.255.255.0\" or the like)"),
            ("b:if0", "interface 'b:if0' of node 'b': 198.18.2.2 has no netmask, and the local testbed configures only addresses given with one (add netmask=\"255.255.255.0\" or the like)"),
            ("c:if0", "interface 'c:if0' of node 'c' is on no link: the local testbed makes interfaces as the ends of links"),
        }));
    }

    [Test]
    public void Check_DualStack_ConfiguresIpv4AndListsIpv6AsNotConfigured()
    {
        var check = LocalTestbedPlan.Check(TestRequests.Corpus("dual-stack.rspec.xml"));

        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That(check.NotRealised.Select(f => f.Message), Is.EqualTo(new[]
        {
            "interface 'a:if0' of node 'a': IPv6 address 2001:db8:0:10::1/64 not configured: the local testbed's namespaces run IPv4 only",
            "interface 'b:if0' of node 'b': IPv6 address 2001:db8:0:10::2/64 not configured: the local testbed's namespaces run IPv4 only",
        }));
    }

    [Test]
    public void Check_OnlyIpv6OnAnInterface_GetsAnIpv4AddressChosenOnItsLinksSubnet()
    {
        var request = TestRequests.Corpus("dual-stack.rspec.xml");
        request = request with { Nodes = [request.Nodes[0] with { Interfaces = [request.Nodes[0].Interfaces[0] with { Ips = [request.Nodes[0].Interfaces[0].Ips[1]] }] }, request.Nodes[1]] };

        var check = LocalTestbedPlan.Check(request);

        // The namespaces run IPv4 only: as for an interface without any address, one is chosen beside its peer's.
        Assert.That(check.CanRealise, Is.True, string.Join("\n", check.Problems));
        Assert.That(check.Assigned.Select(x => (x.Interface, x.Ip.ToString())), Is.EqualTo(new[] { ("a:if0", "198.18.10.1/24") }));
        Assert.That(check.NotRealised.Select(f => f.Message), Has.Some.StartWith("interface 'a:if0' of node 'a': IPv6 address 2001:db8:0:10::1/64 not configured"));
    }

    private static RequestRSpec Request(ValueList<RSpecNode> nodes, ValueList<RSpecLink> links) => new(nodes, links);

    private static RSpecNode Node(string clientId, params (string ClientId, string Address)[] interfaces) =>
        new(clientId, null, null, null, [], [], ValueList.From(interfaces.Select(i => new RSpecInterface(i.ClientId, [new InterfaceIp(Ipv4Address.Parse(i.Address), 24)]))));
}
