using NetServ.Cli.Commands;

namespace NetServ.Cli.Tests.Commands;

[TestFixture]
public sealed class TrafficCommandsTests
{
    [TestCase("no-such-if0", "127.0.0.1", "00:00:00:00:00:00", "no such interface")]
    [TestCase("lo", "198.18.300.1", "00:00:00:00:00:00", "--destination")]
    [TestCase("lo", "127.0.0.1", "00:00:00:00:00", "--next-hop-mac")]
    public void Create_WrongOption_NamesIt(string device, string destination, string mac, string expected)
    {
        var request = PacedRequest.Create(device, destination, mac, "127.0.0.1", 9, 1000, null, 1, 64, out var problem);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(request, Is.Null);
            Assert.That(problem, Does.Contain(expected));
        }
    }

    [Test]
    public void Create_RateAndSeconds_GiveTheCountAndFrameSize()
    {
        var request = PacedRequest.Create("lo", "127.0.0.1", "02:00:00:00:00:01", "127.0.0.1", 5000, 250, null, 2, 128, out var problem);

        Assert.That(request, Is.Not.Null, problem);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request!.Generator.Packets, Is.EqualTo(500));
            Assert.That(request.Generator.PacketsPerSecond, Is.EqualTo(250));
            Assert.That(request.Frame.Bytes, Has.Length.EqualTo(128 - 4), "the wire size less the frame check sequence");
        }
    }

    /// <summary>
    /// The generator's own counts: what a node's kernel does with frames on its loopback is not the generator's (the
    /// traffic tests count arrivals through a router).
    /// </summary>
    [Test]
    public async Task Paced_OnLoopback_OffersAndSendsEveryPacket()
    {
        if (Environment.UserName != "root")
        {
            Assert.Ignore("a raw packet socket needs root (CAP_NET_RAW)");
        }

        var run = await CliRun.RunAsync("traffic", "paced", "--device", "lo", "--destination", "127.0.0.1", "--source", "127.0.0.1",
            "--next-hop-mac", "00:00:00:00:00:00", "--port", "9", "--rate", "1000", "--packets", "20", "--size", "100");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(run.Output, Does.Contain("offered 20 of 20").And.Contain("sent 20, refused 0"));
        }
    }
}
