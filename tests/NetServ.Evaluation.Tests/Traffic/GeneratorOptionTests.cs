using NetServ.Evaluation.Hosting;
using NetServ.Evaluation.Traffic;
using NetServ.Traffic;

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
        using (ClickExecutable.Set("/opt/click/bin/click"))
        {
            Assert.That(GeneratorOption.ClickOptions().Executable, Is.EqualTo("/opt/click/bin/click"));
        }

        using (ClickExecutable.Set(null))
        {
            Assert.That(GeneratorOption.ClickOptions().Executable, Is.EqualTo(ClickInstallation.DefaultExecutable));
        }
    }

    [Test]
    public void RunJson_RecordsTheGeneratorThatSent()
    {
        var record = new Record { Arguments = ["node-runtime", "--quick"] };

        Assert.Multiple(() =>
        {
            Assert.That(record.RunJson("node-runtime")["trafficGenerator"]!["name"]!.GetValue<string>(), Is.EqualTo("none"), "nothing sent until the benchmark chose");
            record.TrafficGenerator = TrafficGeneratorUse.Click("2.1", TrafficGeneratorChoice.ClickIfInstalled);
            var json = record.RunJson("node-runtime")["trafficGenerator"]!;
            Assert.That(json["name"]!.GetValue<string>(), Is.EqualTo("click"));
            Assert.That(json["version"]!.GetValue<string>(), Is.EqualTo("2.1"));
            Assert.That(json["asked"]!.GetValue<string>(), Is.EqualTo("auto"));
        });
    }

    [Test]
    public void SummaryHeader_SaysWhichGeneratorSentAndWhatWasAsked()
    {
        var record = new Record { Arguments = ["latency"], TrafficGenerator = TrafficGeneratorUse.Paced };
        var md = new System.Text.StringBuilder();

        record.AppendSummaryHeader(md, "Latency", "quiet");

        Assert.That(md.ToString(), Does.Contain("Traffic generator: paced (--generator paced)."));
    }

    private sealed class Record : RunRecord;
}
