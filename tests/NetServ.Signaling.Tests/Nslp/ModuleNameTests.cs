using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

[TestFixture]
public sealed class ModuleNameTests
{
    [TestCase("NetServ.Apps.NetMonitor_1.0.0", "NetServ.Apps.NetMonitor", "1.0.0")]
    [TestCase("My_Module_2.1.0-beta+7", "My_Module", "2.1.0-beta+7")]
    [TestCase("a_1", "a", "1")]
    public void TryParse_IdUnderscoreVersion_SplitsAtTheLastUnderscore(string text, string id, string version)
    {
        var parsed = ModuleName.TryParse(text, out var name, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(name!.PackageId, Is.EqualTo(id));
            Assert.That(name.Version, Is.EqualTo(version));
            Assert.That(name.ToString(), Is.EqualTo(text));
        }
    }

    [TestCase(null, "is not <package id>_<version>")]
    [TestCase("", "is not <package id>_<version>")]
    [TestCase("NetMonitor", "is not <package id>_<version>")]
    [TestCase("_1.0.0", "is not <package id>_<version>")]
    [TestCase("NetMonitor_", "is not <package id>_<version>")]
    [TestCase("1Net_1.0.0", "package id")]
    [TestCase(".Net_1.0.0", "package id")]
    [TestCase("Net/../x_1.0.0", "package id")]
    [TestCase("Net Monitor_1.0.0", "package id")]
    [TestCase("NetMonitor_v1", "version")]
    [TestCase("NetMonitor_1.0/0", "version")]
    [TestCase("NetMonitor_1.0.0 ", "version")]
    public void TryParse_Malformed_FailsSayingWhichPart(string? text, string reason)
    {
        var parsed = ModuleName.TryParse(text, out var name, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(name, Is.Null);
            Assert.That(error, Does.Contain(reason));
        }
    }

    [Test]
    public void TryParse_IdTooLong_Fails()
    {
        Assert.That(ModuleName.TryParse(new string('a', 101) + "_1.0", out _, out _), Is.False);
    }

    [Test]
    public void TryParse_VersionTooLong_Fails()
    {
        Assert.That(ModuleName.TryParse("a_1" + new string('0', 64), out _, out _), Is.False);
    }

    [Test]
    public void Equality_SameIdAndVersion_Equal()
    {
        Assert.That(ModuleName.TryParse("X_1.0", out var one, out _), Is.True);

        Assert.That(one, Is.EqualTo(new ModuleName("X", "1.0")));
    }
}
