using NetServ.RSpec;
using NetServ.Sdk;
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
    public void Create_AddressOutsideTheBenchmarkingRange_IsRefusedNamingTheInterface()
    {
        var request = TestRequests.WithAddress(TestRequests.Evaluation, "receiver:if0", "10.0.0.1", 24);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Has.Some.EqualTo("interface 'receiver:if0' of node 'receiver': 10.0.0.1 is outside 198.18.0.0/15: local testbeds use only RFC 2544's benchmarking range"));
    }

    [Test]
    public void Create_LinkOfThreeInterfaces_IsRefused()
    {
        var request = Request(
            [Node("a", ("a:if0", "198.18.0.1")), Node("b", ("b:if0", "198.18.0.2")), Node("c", ("c:if0", "198.18.0.3"))],
            [new RSpecLink("lan", ["a:if0", "b:if0", "c:if0"], "lan", [])]);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Is.EqualTo(new[] { "link 'lan' joins 3 interfaces: the local testbed makes one veth pair per link, which joins two" }));
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
    public void Create_InterfaceWithoutIpOrLink_IsRefused()
    {
        var request = Request(
            [
                new RSpecNode("a", null, null, null, [], [], [new RSpecInterface("a:if0", [])]),
                Node("b", ("b:if0", "198.18.0.2")),
            ],
            []);

        var error = Assert.Throws<LocalTestbedException>(() => LocalTestbedPlan.Create(request));

        Assert.That(error!.Problems, Has.Some.StartsWith("interface 'a:if0' of node 'a' has no ip"));
        Assert.That(error.Problems, Has.Some.StartsWith("interface 'b:if0' of node 'b' is on no link"));
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

    private static RequestRSpec Request(ValueList<RSpecNode> nodes, ValueList<RSpecLink> links) => new(nodes, links);

    private static RSpecNode Node(string clientId, params (string ClientId, string Address)[] interfaces) =>
        new(clientId, null, null, null, [], [], ValueList.From(interfaces.Select(i => new RSpecInterface(i.ClientId, [new InterfaceIp(Ipv4Address.Parse(i.Address), 24)]))));
}
