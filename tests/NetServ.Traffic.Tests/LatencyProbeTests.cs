using System.Net;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic.Tests;

[TestFixture]
[NonParallelizable]
public sealed class LatencyProbeTests
{
    [Test]
    public void Run_OverLoopback_TimestampsEveryPacketInTheKernel()
    {
        using var probe = LatencyProbe.Open(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 0));

        var run = probe.Run(new LatencyRequest(2_000, 400, TimeSpan.FromSeconds(5)) { PayloadBytes = 64 });

        var latencies = run.LatenciesMicroseconds();
        Assert.Multiple(() =>
        {
            Assert.That(run.Sent, Is.EqualTo(400));
            Assert.That(run.SendFailures, Is.Zero);
            Assert.That(run.Received, Is.EqualTo(400), "loopback loses nothing at 2000 packets/s");
            Assert.That(run.Untimestamped, Is.Zero, "every datagram carries SO_TIMESTAMPNS");
            Assert.That(run.Duplicates + run.Foreign, Is.Zero);
            Assert.That(latencies, Has.All.InRange(0.0, 100_000.0), "kernel receive after the send time, well within 100 ms");
            Assert.That(Enumerable.Range(0, run.Sent).All(i => run.UserReceivedNanoseconds[i] >= run.KernelReceivedNanoseconds[i]), "the thread gets a packet after the kernel stamped it");
            Assert.That(run.Elapsed.TotalSeconds, Is.InRange(0.15, 1.0), "400 packets paced at 2000/s take about 0.2 s");
        });
    }

    [Test]
    public void Run_LoopsAllocateNothingPerPacket()
    {
        using var probe = LatencyProbe.Open(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 0));
        probe.Run(new LatencyRequest(20_000, 100, TimeSpan.FromSeconds(5)));

        var run = probe.Run(new LatencyRequest(20_000, 4_000, TimeSpan.FromSeconds(5)));

        Assert.Multiple(() =>
        {
            Assert.That(run.Received, Is.GreaterThan(3_900));
            Assert.That(run.SenderAllocatedBytes, Is.LessThan(1_000), "one allocation per packet would be at least 4000 × 24 bytes");
            Assert.That(run.ReceiverAllocatedBytes, Is.LessThan(1_000), "one allocation per packet would be at least 4000 × 24 bytes");
        });
    }

    [Test]
    public void Run_PayloadShorterThanTheStamp_Throws()
    {
        using var probe = LatencyProbe.Open(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 0));

        Assert.That(
            () => probe.Run(new LatencyRequest(1_000, 10, TimeSpan.FromSeconds(1)) { PayloadBytes = LatencyStamp.Length - 1 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Run_Cancelled_StopsSendingAndReturnsWhatItSaw()
    {
        using var probe = LatencyProbe.Open(new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var run = probe.Run(new LatencyRequest(1_000, 60_000, TimeSpan.FromSeconds(90)), stop.Token);

        Assert.Multiple(() =>
        {
            Assert.That(run.Cancelled, Is.True);
            Assert.That(run.Sent, Is.InRange(50, 1_000), "about 200 packets before the stop");
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)), "the receiver does not wait for the rest");
        });
    }

    [Test]
    public void Run_ThroughTheRouterOfASenderRouterReceiverPath_MeasuresEveryPacket()
    {
        RequiresRoot.Check();

        using var path = LocalNetwork.CreateSenderRouterReceiver();
        using var probe = LatencyProbe.Open(
            new IPEndPoint(IPAddress.Parse("198.18.0.1"), 5060), new IPEndPoint(IPAddress.Parse("198.19.0.1"), 5060), path.Sender.Namespace, path.Receiver.Namespace);

        var run = probe.Run(new LatencyRequest(1_000, 300, TimeSpan.FromSeconds(5)) { PayloadBytes = 100 });

        Assert.Multiple(() =>
        {
            Assert.That(run.Received, Is.GreaterThanOrEqualTo(295), "ARP may cost the first packets, nothing else");
            Assert.That(run.Untimestamped, Is.Zero);
            Assert.That(run.LatenciesMicroseconds(), Has.All.InRange(0.0, 1_000_000.0));
        });
    }
}
