using NetServ.Testbed.OpenFlow;
using NetServ.Testbed.Tests.Local;

namespace NetServ.Testbed.Tests.OpenFlow;

/// <summary>Which NetServ node a switch's controller passes signaling on from, read from the request alone (before any testbed is made).</summary>
[TestFixture]
public sealed class SwitchNetServNodesTests
{
    [TestCase("ns1", new[] { "ns1", "ns2" }, true)]
    [TestCase("ns2", new[] { "ns1", "ns2" }, false)]
    [TestCase("ns1", new[] { "ns1" }, false)]
    [TestCase("ns2", new[] { "ns2" }, false)]
    [TestCase("sender", new[] { "ns1", "ns2" }, false)]
    public void PassesSignalingOn_OpenFlowRSpec_EveryNodeOnTheSwitchButTheLastOfThoseWithTheController(string node, string[] netservNodes, bool expected) =>
        Assert.That(SwitchNetServNodes.PassesSignalingOn(TestRequests.Load("openflow.rspec.xml"), node, netservNodes), Is.EqualTo(expected));
}
