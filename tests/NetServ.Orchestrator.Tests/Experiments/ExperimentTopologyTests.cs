using NetServ.Networking;
using NetServ.Orchestrator.Experiments;
using NetServ.TestSupport.Testbeds;

namespace NetServ.Orchestrator.Tests.Experiments;

/// <summary>Names and addresses on the command line resolved against a testbed, any testbed: here a fake one of sender - router - receiver.</summary>
[TestFixture]
public sealed class ExperimentTopologyTests
{
    [Test]
    public void Node_AClientId_IsThatNode()
    {
        using var testbed = SenderRouterReceiver();

        Assert.That(ExperimentTopology.Node(testbed, "router"), Is.SameAs(testbed.Nodes[1]));
    }

    [Test]
    public void Node_NoSuchNode_ThrowsNamingTheNodesThereAre()
    {
        using var testbed = SenderRouterReceiver();

        var error = Assert.Throws<ExperimentException>(() => ExperimentTopology.Node(testbed, "nobody"));

        Assert.That(error!.Message, Is.EqualTo("the rspec has no node 'nobody' (it has sender, router, receiver)"));
    }

    [Test]
    public void Destination_ANodeName_IsThatNodeAtItsFirstAddress()
    {
        using var testbed = SenderRouterReceiver();

        var (node, address) = ExperimentTopology.Destination(testbed, "router");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.ClientId, Is.EqualTo("router"));
            Assert.That(address.ToString(), Is.EqualTo("198.18.0.2"));
        }
    }

    [Test]
    public void Destination_AnAddressOfANode_IsThatAddressOnTheNodeThatHasIt()
    {
        using var testbed = SenderRouterReceiver();

        var (node, address) = ExperimentTopology.Destination(testbed, "198.19.0.2");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(node.ClientId, Is.EqualTo("router"));
            Assert.That(address.ToString(), Is.EqualTo("198.19.0.2"), "the address asked for, not the node's first");
        }
    }

    [TestCase("nobody")]
    [TestCase("198.19.0.3")]
    public void Destination_NeitherANodeNorAnAddressOfOne_Throws(string nameOrAddress)
    {
        using var testbed = SenderRouterReceiver();

        var error = Assert.Throws<ExperimentException>(() => ExperimentTopology.Destination(testbed, nameOrAddress));

        Assert.That(error!.Message, Is.EqualTo($"'{nameOrAddress}' is neither a node of the rspec nor an address of one"));
    }

    [Test]
    public void InterfaceWith_AnAddressOfARouter_IsTheRouterAndThatInterface()
    {
        using var testbed = SenderRouterReceiver();

        var found = ExperimentTopology.InterfaceWith(testbed, Ipv4Address.Parse("198.19.0.2"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found?.Node.ClientId, Is.EqualTo("router"));
            Assert.That(found?.Interface.Device, Is.EqualTo("eth1"));
            Assert.That(found?.Interface.Subnet.ToString(), Is.EqualTo("198.19.0.0/24"));
        }
    }

    [Test]
    public void InterfaceWith_AnAddressNoNodeHas_IsNull()
    {
        using var testbed = SenderRouterReceiver();

        Assert.That(ExperimentTopology.InterfaceWith(testbed, Ipv4Address.Parse("198.18.0.9")), Is.Null);
    }

    private static FakeTestbed SenderRouterReceiver() => new(
        "t0",
        new FakeTestbedNode("sender", FakeTestbedNode.Interface("sender:if0", "eth0", "198.18.0.1/24")),
        new FakeTestbedNode("router", FakeTestbedNode.Interface("router:if0", "eth0", "198.18.0.2/24"), FakeTestbedNode.Interface("router:if1", "eth1", "198.19.0.2/24")),
        new FakeTestbedNode("receiver", FakeTestbedNode.Interface("receiver:if0", "eth0", "198.19.0.1/24")));
}
