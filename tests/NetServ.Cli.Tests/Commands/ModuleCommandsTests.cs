using System.Security.Cryptography;
using NetServ.Testbed.Nodes;

namespace NetServ.Cli.Tests.Commands;

[TestFixture]
public sealed class ModuleCommandsTests
{
    [Test]
    public async Task Digest_NetMonitorPackage_PrintsModuleEntryTypeAndSha256()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.Apps.NetMonitor", "applications/NetMonitor");
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(package)));

        var run = await CliRun.RunAsync("module", "digest", package);

        var lines = run.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(lines, Is.EqualTo(new[]
            {
                "module   NetServ.Apps.NetMonitor_1.0.0",
                "entry    NetServ.Apps.NetMonitor.NetMonitorModule",
                $"package  {Path.GetFullPath(package)}",
                $"sha256   {expected}",
            }));
            Assert.That(run.Error, Is.Empty);
        }
    }

    [Test]
    public async Task Digest_NotAModule_PrintsWhyAndExitsOne()
    {
        var package = BuildOutputs.EnsurePackage("NetServ.TestModules.NotAModule", "tests/TestModules/NotAModule");

        var run = await CliRun.RunAsync("module", "digest", package);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.EqualTo(1));
            Assert.That(run.Error, Does.Contain("NetServModule").And.Contain(package));
            Assert.That(run.Output, Is.Empty);
        }
    }

    [Test]
    public async Task Digest_NoSuchFile_ExitsTwo()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.nupkg");

        var run = await CliRun.RunAsync("module", "digest", missing);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain(missing).And.Contain("does not exist"));
        }
    }
}
