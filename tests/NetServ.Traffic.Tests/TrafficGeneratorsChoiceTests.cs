namespace NetServ.Traffic.Tests;

/// <summary>The command lines' <c>--generator paced|click|auto</c>, and which driver it gives on a node with or without Click.</summary>
[TestFixture]
public sealed class TrafficGeneratorsChoiceTests
{
    private static readonly ClickInstallation WithClick = new() { Node = "ns-sender", Executable = "click", Version = "2.1" };
    private static readonly ClickInstallation WithoutClick = new() { Node = "ns-sender", Executable = "click", Problem = "'click' could not be started" };

    [TestCase("paced", TrafficGeneratorChoice.Paced)]
    [TestCase("click", TrafficGeneratorChoice.Click)]
    [TestCase("auto", TrafficGeneratorChoice.ClickIfInstalled)]
    [TestCase(" Click ", TrafficGeneratorChoice.Click)]
    public void ParseChoice_EachName_IsItsChoice(string name, TrafficGeneratorChoice expected) =>
        Assert.That(TrafficGenerators.ParseChoice(name), Is.EqualTo(expected));

    [Test]
    public void ParseChoice_AnotherName_ThrowsNamingTheThreeChoices() =>
        Assert.That(() => TrafficGenerators.ParseChoice("trafgen"), Throws.ArgumentException.With.Message.EqualTo("--generator: 'trafgen' is not one of paced, click, auto"));

    [TestCase(TrafficGeneratorChoice.Paced, true, "paced")]
    [TestCase(TrafficGeneratorChoice.Paced, false, "paced")]
    [TestCase(TrafficGeneratorChoice.Click, true, "click")]
    [TestCase(TrafficGeneratorChoice.ClickIfInstalled, true, "click")]
    [TestCase(TrafficGeneratorChoice.ClickIfInstalled, false, "paced")]
    public void Resolve_ChoiceAndNode_GivesTheDriverThatSends(TrafficGeneratorChoice choice, bool clickInstalled, string driver) =>
        Assert.That(TrafficGenerators.Resolve(choice, clickInstalled ? WithClick : WithoutClick), Is.EqualTo(driver));

    [Test]
    public void Resolve_ClickOnANodeWithoutClick_ThrowsNamingTheNode()
    {
        var e = Assert.Throws<ClickNotInstalledException>(() => TrafficGenerators.Resolve(TrafficGeneratorChoice.Click, WithoutClick));

        Assert.That(e!.Message, Does.StartWith("Click modular router not installed on node ns-sender"));
    }
}
