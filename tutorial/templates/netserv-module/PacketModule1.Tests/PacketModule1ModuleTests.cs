using System.Text.Json.Nodes;
using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Sdk.Testing;

namespace PacketModule1.Tests;

[TestFixture]
public sealed class PacketModule1ModuleTests
{
    private static readonly Ipv4Address Client = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address Server = Ipv4Address.Parse("198.19.0.1");

    // What a SETUP with filter-proto: udp and filter-dst: 198.19.0.0/16 selects.
    private static readonly PacketFilter UdpToServers = new(FilterProtocol.Udp, null, [Ipv4Prefix.Parse("198.19.0.0/16")]);

    private TestModuleContext _context = null!;
    private PacketModule1Module _module = null!;
    private PacketModuleHarness _harness = null!;

    [SetUp]
    public async Task SetUp()
    {
        _context = new TestModuleContext { ModuleName = "PacketModule1_1.0.0", Filter = UdpToServers };
        _module = new PacketModule1Module();
        await _module.StartAsync(_context, CancellationToken.None);
        _harness = new PacketModuleHarness(_module, _context.Filter);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _module.StopAsync(CancellationToken.None);
        _context.Dispose();
    }

    [Test]
    public void Process_PacketsToSeveralPorts_CountsEachDestinationPort()
    {
        _harness.Process(TestPackets.Udp(Client, Server, 40000, 5060, "OPTIONS"));
        _harness.Process(TestPackets.Udp(Client, Server, 40001, 5060, "OPTIONS"));
        _harness.Process(TestPackets.Udp(Client, Server, 40002, 53, "query"));

        var status = _module.GetStatus();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status["totalPackets"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(status["packetsByPort"]!["5060"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(status["packetsByPort"]!["53"]!.GetValue<long>(), Is.EqualTo(1));
        }
    }

    [Test]
    public void Process_AnyPacket_IsAcceptedUnchanged()
    {
        var packet = TestPackets.Udp(Client, Server, 40000, 5060, "OPTIONS");

        var result = _harness.Process(packet);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(result.Modified, Is.False);
            Assert.That(result.Bytes, Is.EqualTo(packet));
        }
    }

    [Test]
    public void Process_PacketTheFilterDoesNotSelect_NeverReachesTheModule()
    {
        var result = _harness.Process(TestPackets.Udp(Client, Ipv4Address.Parse("198.18.0.2"), 40000, 5060, "OPTIONS"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Selected, Is.False);
            Assert.That(_module.GetStatus()["totalPackets"]!.GetValue<long>(), Is.Zero);
        }
    }
}
