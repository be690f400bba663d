using NetServ.Networking;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic.Tests;

[TestFixture]
[NonParallelizable]
public sealed class PacedPacketGeneratorTests
{
    [SetUp]
    public void SetUp() => RequiresRoot.Check();

    [Test]
    public void Run_PacedBelowCapacity_OffersExactlyTheCountAndEveryPacketArrives()
    {
        using var path = LocalNetwork.CreateSenderRouterReceiver();
        using var counter = IptablesCounter.InstallUdp(path.Receiver.Namespace, 5060);
        using var generator = PacedPacketGenerator.Open(path.Sender.Namespace, "eth0");
        var frame = UdpFrame.Create(
            64, path.Sender.Namespace.GetMacAddress("eth0"), path.Router.Namespace.GetMacAddress("eth0"),
            Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, 5060);

        // A first packet lets the router resolve the receiver (ARP), so none of the counted ones waits.
        generator.Run(frame, new GeneratorRequest(1000, 1, TimeSpan.FromSeconds(1)));
        Thread.Sleep(200);
        counter.Zero();

        var result = generator.Run(frame, new GeneratorRequest(20_000, 4_000, TimeSpan.FromSeconds(5)) { Cpu = 0 });
        var received = WaitForCount(counter, result.Sent);

        Assert.Multiple(() =>
        {
            Assert.That(result.Offered, Is.EqualTo(4_000));
            Assert.That(result.Sent + result.Failed, Is.EqualTo(result.Offered));
            Assert.That(result.StoppedByDeadline, Is.False);
            Assert.That(result.OfferedRate, Is.InRange(18_000, 22_000), "paced near the requested rate");
            Assert.That(received, Is.EqualTo(result.Sent), "the receiver's kernel counter saw every packet sent");
            Assert.That(generator.SendBufferBytes, Is.GreaterThanOrEqualTo(32 << 20), "a very large send buffer");
        });
    }

    [Test]
    public void Run_FrameSet_EveryFrameCarriesItsShareExactly()
    {
        using var path = LocalNetwork.CreateSenderRouterReceiver();
        ushort[] ports = [6000, 6001, 6002];
        var counters = ports.Select(p => IptablesCounter.InstallUdp(path.Receiver.Namespace, p, comment: $"frame set {p}")).ToArray();
        try
        {
            using var generator = PacedPacketGenerator.Open(path.Sender.Namespace, "eth0");
            var frames = UdpFrameSet.Of(ports.Select(p => UdpFrame.Create(
                64, path.Sender.Namespace.GetMacAddress("eth0"), path.Router.Namespace.GetMacAddress("eth0"),
                Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, p)).ToArray());
            generator.Run(frames, new GeneratorRequest(1000, 1, TimeSpan.FromSeconds(1)));
            Thread.Sleep(200);
            counters[0].Zero();

            // 4,001 packets over 3 frames, in batches that start at every frame: 1,334, 1,334 and 1,333.
            var result = generator.Run(frames, new GeneratorRequest(20_000, 4_001, TimeSpan.FromSeconds(5)) { Cpu = 0, MaxBatch = 8 });
            WaitForCount(counters[2], 1_333);
            var received = counters.Select(c => c.Read()).ToArray();

            Assert.Multiple(() =>
            {
                Assert.That(result.Offered, Is.EqualTo(4_001));
                Assert.That(result.Failed, Is.Zero, "nothing refused at 20 kpps");
                Assert.That(received, Is.EqualTo(new[] { frames.PacketsOf(0, 4_001), frames.PacketsOf(1, 4_001), frames.PacketsOf(2, 4_001) }));
            });
        }
        finally
        {
            foreach (var counter in counters)
            {
                counter.Dispose();
            }
        }
    }

    [Test]
    public void Run_Deadline_StopsTheRunEarly()
    {
        using var path = LocalNetwork.CreateSenderRouterReceiver();
        using var generator = PacedPacketGenerator.Open(path.Sender.Namespace, "eth0");
        var frame = UdpFrame.Create(
            64, path.Sender.Namespace.GetMacAddress("eth0"), path.Router.Namespace.GetMacAddress("eth0"),
            Ipv4Address.Parse("198.18.0.1"), Ipv4Address.Parse("198.19.0.1"), 5060, 5060);

        var result = generator.Run(frame, new GeneratorRequest(1_000, 1_000_000, TimeSpan.FromMilliseconds(200)));

        Assert.Multiple(() =>
        {
            Assert.That(result.StoppedByDeadline, Is.True);
            Assert.That(result.Offered, Is.InRange(100, 400), "about 200 ms at 1 kpps");
        });
    }

    private static long WaitForCount(IptablesCounter counter, long expected)
    {
        long count = 0;
        for (var i = 0; i < 50 && count < expected; i++)
        {
            Thread.Sleep(50);
            count = counter.Read();
        }

        Thread.Sleep(100);
        return counter.Read();
    }
}
