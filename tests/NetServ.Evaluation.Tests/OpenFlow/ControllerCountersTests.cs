using System.Text.Json.Nodes;
using NetServ.Evaluation.OpenFlow;

namespace NetServ.Evaluation.Tests.OpenFlow;

/// <summary>Reading the OpenFlowController module's own status, in the shape the module reports it.</summary>
[TestFixture]
public sealed class ControllerCountersTests
{
    [Test]
    public void Read_ModuleStatus_ReturnsFiltersPacketInsAndFlowsPerNode()
    {
        var status = JsonNode.Parse("""
            {"listening":"198.19.10.2:6653","netservPort":3,"switches":1,"filterEvents":true,"filters":1,"packetIns":12,
             "steeredFlows":8,"steeredFlowsPerNode":[5,3],"bypassedFlows":0,"nodes":[{"port":3,"live":true},{"port":4,"live":true}]}
            """)!.AsObject();

        var counters = ControllerCounters.Read(status);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((counters.Filters, counters.PacketIns, counters.SteeredFlows), Is.EqualTo((1, 12L, 8L)));
            Assert.That(counters.SteeredFlowsPerNode, Is.EqualTo(new long[] { 5, 3 }));
        }
    }

    [Test]
    public void Read_NoSwitchConnectedYet_CountsZero()
    {
        var counters = ControllerCounters.Read(new JsonObject { ["listening"] = "198.19.10.2:6653" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((counters.Filters, counters.PacketIns, counters.SteeredFlows), Is.EqualTo((0, 0L, 0L)));
            Assert.That(counters.SteeredFlowsPerNode, Is.Empty);
        }
    }
}
