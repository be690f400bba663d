using NetServ.Orchestrator.Experiments;
using NetServ.Sdk;
using NetServ.Testbed.Nodes;

namespace NetServ.Orchestrator.Tests.Experiments;

[TestFixture]
public sealed class ModulePortsTests
{
    private const string MediaRelay = "control-port=7070;port-min..port-max=30000..30099";

    [Test]
    public void Resolve_NoPropertiesGiven_TakesTheDeclaredDefaults()
    {
        var ports = ModulePorts.Resolve(MediaRelay, ModuleProperties.Empty);

        Assert.That(ports, Is.EqualTo(new[] { 7070 }.Concat(Enumerable.Range(30000, 100))));
    }

    [Test]
    public void Resolve_PropertiesGiven_TakesTheirPorts()
    {
        var ports = ModulePorts.Resolve(MediaRelay, Properties("control-port=7100,port-min=31000,port-max=31003"));

        Assert.That(ports, Is.EqualTo(new[] { 7100, 31000, 31001, 31002, 31003 }));
    }

    [Test]
    public void Resolve_PortZero_IsNoPort()
    {
        Assert.That(ModulePorts.Resolve("feedback-port=0", ModuleProperties.Empty), Is.Empty);
        Assert.That(ModulePorts.Resolve("feedback-port=0", Properties("feedback-port=5070")), Is.EqualTo(new[] { 5070 }));
    }

    [TestCase("port")]
    [TestCase("port=http")]
    [TestCase("a..b=1")]
    [TestCase("a..b=10..5")]
    [TestCase("a..b=1..60000")]
    public void Resolve_NotADeclarationOfPorts_Throws(string declaration) =>
        Assert.That(() => ModulePorts.Resolve(declaration, ModuleProperties.Empty), Throws.InstanceOf<FormatException>());

    [Test]
    public void Resolve_APropertyThatIsNotAPort_ThrowsNamingIt() =>
        Assert.That(() => ModulePorts.Resolve("port=8080", Properties("port=99999")), Throws.InstanceOf<FormatException>().With.Message.Contains("port=99999"));

    [Test]
    public void ReadDeclaration_MediaRelayPackage_ReturnsItsPorts()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.MediaRelay", "applications/MediaRelay");

        Assert.That(ModulePorts.ReadDeclaration(package), Is.EqualTo(MediaRelay));
    }

    [Test]
    public void ReadDeclaration_NetMonitorPackage_DeclaresNone()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");

        Assert.That(ModulePorts.ReadDeclaration(package), Is.Null);
    }

    [Test]
    public void ParsePorts_PortsAndRanges_ReadsEachPortOnce()
    {
        Assert.That(ExperimentArguments.ParsePorts("5070, 7070,30000-30002,5070"), Is.EqualTo(new[] { 5070, 7070, 30000, 30001, 30002 }));
        Assert.That(ExperimentArguments.ParsePorts("none"), Is.Empty);
    }

    [TestCase("0")]
    [TestCase("65536")]
    [TestCase("5070-5060")]
    [TestCase("1-5000")]
    [TestCase("a")]
    [TestCase(",")]
    public void ParsePorts_NotPorts_Throws(string text) =>
        Assert.That(() => ExperimentArguments.ParsePorts(text), Throws.InstanceOf<FormatException>());

    [Test]
    public void FormatPorts_WritesRangesAsParsePortsReadsThem()
    {
        int[] ports = [5070, 7070, 30000, 30001, 30002];

        Assert.That(ExperimentArguments.FormatPorts(ports), Is.EqualTo("5070,7070,30000-30002"));
        Assert.That(ExperimentArguments.ParsePorts(ExperimentArguments.FormatPorts(ports)), Is.EqualTo(ports));
        Assert.That(ExperimentArguments.FormatPorts([]), Is.EqualTo("none"));
    }

    private static ModuleProperties Properties(string text)
    {
        Assert.That(ModuleProperties.TryParse(text, out var properties, out var error), Is.True, error);
        return properties!;
    }
}
