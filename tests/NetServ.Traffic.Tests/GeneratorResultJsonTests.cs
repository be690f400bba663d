namespace NetServ.Traffic.Tests;

/// <summary>The JSON <c>netserv traffic paced --json</c> prints and the lab's runner reads over SSH.</summary>
[TestFixture]
public sealed class GeneratorResultJsonTests
{
    [Test]
    public void Read_WhatWriteWrote_GivesEveryCountAndDurationBack()
    {
        var result = new GeneratorResult
        {
            RequestedRate = 1000,
            Requested = 2000,
            Offered = 1999,
            Sent = 1990,
            FailedNoBuffers = 7,
            FailedAgain = 2,
            FailedInBatch = 1,
            Elapsed = TimeSpan.FromMilliseconds(2001.5),
            Calls = 40,
            MaxLag = TimeSpan.FromMilliseconds(1.25),
            StoppedByDeadline = true,
            Cancelled = false,
            CpuTime = TimeSpan.FromMilliseconds(300),
        };

        var json = GeneratorResultJson.Write(result);

        Assert.That(json, Does.Not.Contain("\n"), "one line, the last the command prints");
        Assert.That(GeneratorResultJson.Read(json), Is.EqualTo(result));
    }

    [TestCase("paced eth0 → 198.18.1.2:5060: offered 2000")]
    [TestCase("{\"requestedRate\": 1000}")]
    [TestCase("null")]
    public void Read_NotAResult_ThrowsFormatException(string printed) =>
        Assert.That(() => GeneratorResultJson.Read(printed), Throws.TypeOf<FormatException>());
}
