using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Traffic;
using NetServ.Testbed.Traffic;

namespace NetServ.Evaluation.Tests.Traffic;

public sealed class GeneratorOptionTests
{
    [TestCase("paced", TrafficGeneratorChoice.Paced)]
    [TestCase("click", TrafficGeneratorChoice.Click)]
    [TestCase("auto", TrafficGeneratorChoice.ClickIfInstalled)]
    [TestCase(" Click ", TrafficGeneratorChoice.Click)]
    [TestCase(null, TrafficGeneratorChoice.Paced)]
    public void Parse_KnownWord_GivesItsChoice(string? text, TrafficGeneratorChoice expected) =>
        Assert.That(GeneratorOption.Parse(text), Is.EqualTo(expected));

    [Test]
    public void Parse_UnknownWord_SaysWhichWordsTheOptionTakes()
    {
        var e = Assert.Throws<ArgumentException>(() => GeneratorOption.Parse("pktgen"));
        Assert.That(e!.Message, Does.Contain("--generator").And.Contain("'pktgen'").And.Contain("paced, click, auto"));
    }

    [Test]
    public void ClickOptions_NetservClickSet_UsesThatExecutable()
    {
        var before = Environment.GetEnvironmentVariable("NETSERV_CLICK");
        try
        {
            Environment.SetEnvironmentVariable("NETSERV_CLICK", "/opt/click/bin/click");
            Assert.That(GeneratorOption.ClickOptions().Executable, Is.EqualTo("/opt/click/bin/click"));
            Environment.SetEnvironmentVariable("NETSERV_CLICK", null);
            Assert.That(GeneratorOption.ClickOptions().Executable, Is.EqualTo(ClickInstallation.DefaultExecutable));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NETSERV_CLICK", before);
        }
    }

    [Test]
    public void RunJson_RecordsTheGeneratorThatSent()
    {
        var record = new Record { Arguments = ["node-runtime", "--quick"] };

        Assert.Multiple(() =>
        {
            Assert.That((string?)record.RunJson("node-runtime")["trafficGenerator"], Is.EqualTo("paced"), "every traffic benchmark sends with the paced generator unless told otherwise");
            record.TrafficGenerator = ClickTrafficGenerator.DriverName;
            Assert.That((string?)record.RunJson("node-runtime")["trafficGenerator"], Is.EqualTo("click"));
        });
    }

    [Test]
    public void SummaryHeader_SaysWhichGeneratorSent()
    {
        var record = new Record { Arguments = ["latency"] };
        var md = new System.Text.StringBuilder();

        record.AppendSummaryHeader(md, "Latency", "quiet");

        Assert.That(md.ToString(), Does.Contain("Traffic generator: paced."));
    }

    private sealed class Record : RunRecord;
}
