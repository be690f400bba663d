using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Container.Packets;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Container.Tests.Packets;

[TestFixture]
public sealed class ModuleChainTests
{
    private static readonly Ipv4Address Source = Ipv4Address.Parse("198.18.0.1");
    private static readonly Ipv4Address Destination = Ipv4Address.Parse("198.19.0.2");
    private static readonly PacketFilter AllUdp = new(FilterProtocol.Udp, null, [Ipv4Prefix.All]);

    private ModuleChain _chain = null!;

    [SetUp]
    public void SetUp() => _chain = new ModuleChain(NullLogger<ModuleChain>.Instance);

    [Test]
    public void Process_EmptyChain_AcceptsUnchanged()
    {
        var bytes = Udp(5060);
        var copy = bytes.ToArray();

        var outcome = Process(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.Accept));
            Assert.That(bytes, Is.EqualTo(copy));
            Assert.That(_chain.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Process_AcceptingModules_EachSeesThePacketInInstallationOrder()
    {
        var calls = new List<string>();
        Add("first", new Recording(calls, "first"));
        Add("second", new Recording(calls, "second"));

        var outcome = Process(Udp(5060));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.Accept));
            Assert.That(calls, Is.EqualTo(new[] { "first", "second" }));
            Assert.That(Counters("first").Packets, Is.EqualTo(1));
            Assert.That(Counters("second").Packets, Is.EqualTo(1));
        }
    }

    [Test]
    public void Process_ModuleThrows_AcceptsTheOriginalAndCountsTheError()
    {
        var calls = new List<string>();
        Add("thrower", new Throwing(new InvalidOperationException("boom")));
        Add("later", new Recording(calls, "later"));

        var outcome = Process(Udp(5060));

        var thrower = Slot("thrower");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.Accept));
            Assert.That(thrower.Errors, Is.EqualTo(1));
            Assert.That(thrower.LastError, Is.EqualTo("InvalidOperationException: boom"));
            Assert.That(Counters("thrower").Packets, Is.Zero);
            Assert.That(calls, Is.Empty, "the chain stops at the exception");
            Assert.That(_chain.Slots, Has.Count.EqualTo(2), "a module that throws stays installed");
            Assert.That(_chain.CallStarted, Is.Zero);
        }
    }

    [Test]
    public void Process_ModuleThrowsAfterAnotherChangedThePacket_AcceptsTheOriginalNotTheChange()
    {
        Add("rewriter", new SettingTtl(9));
        Add("thrower", new Throwing(new FormatException("bad")));

        var outcome = Process(Udp(5060));

        Assert.That(outcome, Is.EqualTo(PacketOutcome.Accept), "a half-processed packet is never sent back");
    }

    [Test]
    public void Process_ModuleThrowsEveryTime_EveryErrorIsCounted()
    {
        Add("thrower", new Throwing(new InvalidOperationException("again")));

        for (var i = 0; i < 5; i++)
        {
            Process(Udp(5060));
        }

        Assert.That(Slot("thrower").Errors, Is.EqualTo(5));
    }

    [Test]
    public void Process_ModuleDrops_StopsTheChain()
    {
        var calls = new List<string>();
        Add("dropper", new Dropping());
        Add("later", new Recording(calls, "later"));

        var outcome = Process(Udp(5060));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.Drop));
            Assert.That(calls, Is.Empty);
            Assert.That(Counters("dropper").Dropped, Is.EqualTo(1));
            Assert.That(Counters("dropper").Packets, Is.EqualTo(1));
        }
    }

    [Test]
    public void Process_ModuleChangesThePacket_AcceptsTheChangeWithValidChecksums()
    {
        Add("rewriter", new SettingTtl(3));
        var bytes = Udp(5060);

        var outcome = Process(bytes);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.AcceptModified));
            Assert.That(bytes[8], Is.EqualTo(3));
            Assert.That(InternetChecksum.IsValid(bytes.AsSpan(0, 20)), Is.True, "IP header checksum fixed");
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, bytes.AsSpan(20)), Is.True, "UDP checksum fixed");
            Assert.That(Counters("rewriter").Modified, Is.EqualTo(1));
        }
    }

    [Test]
    public void Process_ModuleGrowsThePacket_LengthsAndChecksumsFollow()
    {
        Add("grower", new AppendingPayload("+tail"u8.ToArray()));
        var buffer = new byte[128];
        PacketWriter.TryWriteUdp(buffer, Source, Destination, 1000, 5060, "head"u8, out var length);
        var packet = new Packet(buffer, length);

        var outcome = _chain.Process(ref packet);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.AcceptModified));
            Assert.That(packet.Payload.ToArray(), Is.EqualTo("head+tail"u8.ToArray()));
            Assert.That(packet.Ipv4.TotalLength, Is.EqualTo(length + 5));
            Assert.That(packet.Udp.DatagramLength, Is.EqualTo(8 + 9));
            Assert.That(InternetChecksum.IsValid(packet.Data[..20]), Is.True);
            Assert.That(InternetChecksum.IsValidTransport(Source, Destination, IpProtocol.Udp, packet.Data[20..]), Is.True);
        }
    }

    [Test]
    public void Process_OneModuleChangesThePacket_OnlyThatModuleCountsAModification()
    {
        Add("rewriter", new SettingTtl(3));
        Add("watcher", new Recording([], "watcher"));

        Process(Udp(5060));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Counters("rewriter").Modified, Is.EqualTo(1));
            Assert.That(Counters("watcher").Modified, Is.Zero);
            Assert.That(Counters("watcher").Packets, Is.EqualTo(1));
        }
    }

    [Test]
    public void Process_LaterModuleSeesTheEarlierChange()
    {
        int? seenTtl = null;
        Add("rewriter", new SettingTtl(7));
        Add("watcher", new Inspecting(p => seenTtl = p.Ipv4.Ttl));

        Process(Udp(5060));

        Assert.That(seenTtl, Is.EqualTo(7));
    }

    [Test]
    public void Process_Filters_SelectWhichModulesSeeWhichPackets()
    {
        var calls = new List<string>();
        Add("sip", new Recording(calls, "sip"), new PacketFilter(FilterProtocol.Udp, 5060, [Ipv4Prefix.Parse("198.19.0.0/24")]));
        Add("web", new Recording(calls, "web"), new PacketFilter(FilterProtocol.Tcp, 80, [Ipv4Prefix.All]));
        Add("other-net", new Recording(calls, "other-net"), new PacketFilter(FilterProtocol.Any, null, [Ipv4Prefix.Parse("198.20.0.0/16")]));
        Add("all", new Recording(calls, "all"), new PacketFilter(FilterProtocol.Any, null, [Ipv4Prefix.All]));

        Process(Udp(5060));
        calls.Add("|");
        Process(Udp(5061));

        Assert.That(calls, Is.EqualTo(new[] { "sip", "all", "|", "all" }));
    }

    [Test]
    public void Remove_TakesTheModuleOutOfThePath()
    {
        var calls = new List<string>();
        Add("a", new Recording(calls, "a"));
        Add("b", new Recording(calls, "b"));

        var removed = _chain.Remove("a");
        Process(Udp(5060));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removed!.ModuleName, Is.EqualTo("a"));
            Assert.That(calls, Is.EqualTo(new[] { "b" }));
            Assert.That(_chain.Slots.Select(s => s.ModuleName), Is.EqualTo(new[] { "b" }));
        }
    }

    [Test]
    public void Remove_UnknownModule_ReturnsNull()
    {
        Add("a", new Recording([], "a"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_chain.Remove("nope"), Is.Null);
            Assert.That(_chain.Slots, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Remove_LastCalledModule_ForgetsTheCall()
    {
        Add("a", new Recording([], "a"));
        Process(Udp(5060));
        var before = _chain.CallSlot;

        _chain.Remove("a");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before!.ModuleName, Is.EqualTo("a"));
            Assert.That(_chain.CallSlot, Is.Null, "a removed module must not be kept alive by the watchdog's note");
            Assert.That(_chain.IsEmpty, Is.True);
        }
    }

    [Test]
    public void Process_DuringAModuleCall_RecordsWhichModuleSinceWhen()
    {
        long started = 0;
        ModuleSlot? slot = null;
        Add("a", new Inspecting(_ => (started, slot) = (_chain.CallStarted, _chain.CallSlot)));
        var before = Stopwatch.GetTimestamp();

        Process(Udp(5060));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(started, Is.GreaterThanOrEqualTo(before));
            Assert.That(slot!.ModuleName, Is.EqualTo("a"));
            Assert.That(_chain.CallStarted, Is.Zero, "no call in progress after Process");
        }
    }

    [Test]
    public void Process_ModuleOutOfMemory_RaisesTheEventAndTakesTheModuleOut()
    {
        var calls = new List<string>();
#pragma warning disable CA2201 // The runtime's exception, thrown by hand to stand for a module that exhausted its memory.
        var oom = new OutOfMemoryException("no more");
#pragma warning restore CA2201
        Add("hog", new Throwing(oom));
        Add("later", new Recording(calls, "later"));
        (ModuleSlot Slot, Exception Error)? raised = null;
        _chain.ModuleOutOfMemory += (slot, error) => raised = (slot, error);

        var outcome = Process(Udp(5060));
        Process(Udp(5060));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome, Is.EqualTo(PacketOutcome.Accept));
            Assert.That(raised?.Slot.ModuleName, Is.EqualTo("hog"));
            Assert.That(raised?.Error, Is.SameAs(oom));
            Assert.That(raised?.Slot.Errors, Is.EqualTo(1));
            Assert.That(raised?.Slot.LastError, Is.EqualTo("out of memory"));
            Assert.That(_chain.Slots.Select(s => s.ModuleName), Is.EqualTo(new[] { "later" }));
            Assert.That(calls, Is.EqualTo(new[] { "later" }), "the first packet stopped at the hog, the second went on without it");
        }
    }

    [Test]
    public void Counters_ReportEveryCountAndTheLastError()
    {
        Add("m", new Throwing(new ArgumentException("x")));
        Process(Udp(5060));

        var counters = Slot("m").Counters();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(counters.Errors, Is.EqualTo(1));
            Assert.That(counters.Packets, Is.Zero);
            Assert.That(counters.LastError, Does.StartWith("ArgumentException: x"));
        }
    }

    private PacketOutcome Process(byte[] bytes)
    {
        var packet = new Packet(bytes);
        return _chain.Process(ref packet);
    }

    private void Add(string name, IPacketProcessor processor, PacketFilter? filter = null) =>
        _chain.Add(new ModuleSlot(name, filter ?? AllUdp, processor));

    private ModuleSlot Slot(string name) => _chain.Slots.Single(s => s.ModuleName == name);

    private ModuleCounters Counters(string name) => Slot(name).Counters();

    private static byte[] Udp(ushort destinationPort)
    {
        var buffer = new byte[64];
        PacketWriter.TryWriteUdp(buffer, Source, Destination, 40000, destinationPort, "payload"u8, out var written);
        return buffer[..written];
    }

    private sealed class Recording(List<string> calls, string name) : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet)
        {
            calls.Add(name);
            return PacketVerdict.Accept;
        }
    }

    private delegate void PacketAction(Packet packet);

    private sealed class Inspecting(PacketAction action) : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet)
        {
            action(packet);
            return PacketVerdict.Accept;
        }
    }

    private sealed class Throwing(Exception exception) : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet) => throw exception;
    }

    private sealed class Dropping : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet) => PacketVerdict.Drop;
    }

    private sealed class SettingTtl(byte ttl) : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet)
        {
            var ip = packet.Ipv4;
            ip.Ttl = ttl;
            packet.MarkModified();
            return PacketVerdict.Accept;
        }
    }

    private sealed class AppendingPayload(byte[] tail) : IPacketProcessor
    {
        public PacketVerdict Process(ref Packet packet)
        {
            var old = packet.Payload.Length;
            if (packet.TrySetPayloadLength(old + tail.Length))
            {
                tail.CopyTo(packet.Payload[old..]);
            }

            return PacketVerdict.Accept;
        }
    }
}
