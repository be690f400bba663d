using NetServ.Networking;

namespace NetServ.Sdk.Testing.Tests;

[TestFixture]
public sealed class PacketModuleHarnessTests
{
    private static readonly Ipv4Address Client = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address Server = Ipv4Address.Parse("198.19.0.1");
    private static readonly PacketFilter SipToServer = new(FilterProtocol.Udp, 5060, [Ipv4Prefix.Parse("198.19.0.1/32")]);

    [Test]
    public void Process_PacketTheFilterDoesNotSelect_NeverReachesTheModule_AndLeavesUnchanged()
    {
        var module = new Uppercasing();
        var harness = new PacketModuleHarness(module, SipToServer);
        var packet = TestPackets.Udp(Client, Server, 40000, 5070, "options");

        var result = harness.Process(packet);

        Assert.Multiple(() =>
        {
            Assert.That(result.Selected, Is.False);
            Assert.That(module.Calls, Is.Zero);
            Assert.That(result.Bytes, Is.EqualTo(packet));
            Assert.That(harness.Selected, Is.Zero);
        });
    }

    [Test]
    public void Process_ModuleChangesThePayload_PacketLeavesWithTheChangeAndValidChecksums()
    {
        var harness = new PacketModuleHarness(new Uppercasing(), SipToServer);

        var result = harness.Process(TestPackets.Udp(Client, Server, 40000, 5060, "options"));

        Assert.Multiple(() =>
        {
            Assert.That(result.Selected && result.Modified, Is.True);
            Assert.That(result.Verdict, Is.EqualTo(PacketVerdict.Accept));
            Assert.That(new Packet(result.Bytes).Payload.ToArray(), Is.EqualTo("OPTIONS"u8.ToArray()));
            Assert.That(TestPackets.HasValidChecksums(result.Bytes), Is.True);
        });
    }

    [Test]
    public void Process_ModuleDrops_NothingLeaves()
    {
        var harness = new PacketModuleHarness(new Dropping(), null);

        var result = harness.Process(TestPackets.Udp(Client, Server, 40000, 5060, "x"));

        Assert.That((result.Selected, result.Verdict, result.Bytes.Length), Is.EqualTo((true, PacketVerdict.Drop, 0)));
    }

    [Test]
    public void HasValidChecksums_PacketWithAChangedByte_IsFalse()
    {
        var packet = TestPackets.Udp(Client, Server, 40000, 5060, "register");
        Assert.That(TestPackets.HasValidChecksums(packet), Is.True);

        packet[^1] ^= 0x20;

        Assert.That(TestPackets.HasValidChecksums(packet), Is.False);
    }

    private sealed class Uppercasing : IPacketProcessor
    {
        public int Calls { get; private set; }

        public PacketVerdict Process(ref Packet packet)
        {
            Calls++;
            foreach (ref var b in packet.Payload)
            {
                b = (byte)char.ToUpperInvariant((char)b);
            }

            packet.MarkModified();
            return PacketVerdict.Accept;
        }
    }

    private sealed class Dropping : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet) => PacketVerdict.Drop;
    }
}
