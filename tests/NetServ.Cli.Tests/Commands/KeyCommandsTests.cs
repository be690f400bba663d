using NetServ.Signaling.Security;

namespace NetServ.Cli.Tests.Commands;

[TestFixture]
public sealed class KeyCommandsTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("netserv-keygen-test-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task Keygen_KeyAsArgument_WritesAPrivateKeyOnlyItsOwnerReadsAndItsPublicHalf()
    {
        var path = Path.Combine(_folder, "alice.key");

        var run = await CliRun.RunAsync("keygen", path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Exit, Is.Zero, run.Error);
            Assert.That(UserPrivateKey.TryParse(File.ReadAllText(path), out var key, out var error), Is.True, error);
            Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(File.ReadAllText(path + ".pub").Trim(), Is.EqualTo(key!.PublicKey.ToPem().Trim()));
            key.Dispose();
        }
    }

    [Test]
    public async Task Keygen_KeyAsOutOption_WritesTheKey()
    {
        var path = Path.Combine(_folder, "bob.key");

        var run = await CliRun.RunAsync("keygen", "-o", path, "--algorithm", "ecdsa-p256");

        Assert.That(run.Exit, Is.Zero, run.Error);
        Assert.That(File.Exists(path) && File.Exists(path + ".pub"), Is.True);
    }

    [Test]
    public async Task Keygen_NoKeyNamed_ExitsTwoAndSaysHow()
    {
        var run = await CliRun.RunAsync("keygen");

        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("netserv keygen KEY"));
    }

    [Test]
    public async Task Keygen_KeyNamedTwice_ExitsTwoAndWritesNothing()
    {
        var run = await CliRun.RunAsync("keygen", Path.Combine(_folder, "a.key"), "-o", Path.Combine(_folder, "b.key"));

        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(Directory.GetFiles(_folder), Is.Empty);
    }
}
