namespace NetServ.NodeImage.Tests;

[TestFixture]
internal sealed class ClickSourceTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-click-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Open_FolderWithoutConfigure_IsRefusedSayingWhy() =>
        Assert.That(() => ClickSource.Open(_directory), Throws.InstanceOf<ImageBuildException>().With.Message.Contains("not a Click source tree"));

    [Test]
    public void Open_MissingFolder_IsRefused() =>
        Assert.That(() => ClickSource.Open(Path.Combine(_directory, "none")), Throws.InstanceOf<ImageBuildException>().With.Message.Contains("no such folder"));

    [Test]
    public void Open_ClickTree_TakesItsFullPath()
    {
        File.WriteAllText(Path.Combine(_directory, "configure"), "#!/bin/sh\n");
        Directory.CreateDirectory(Path.Combine(_directory, "userlevel"));
        Directory.CreateDirectory(Path.Combine(_directory, "elements"));

        Assert.That(ClickSource.Open(_directory).Directory, Is.EqualTo(Path.GetFullPath(_directory)));
    }

    [Test]
    public void Hash_IgnoresTheCheckoutsGitFolder()
    {
        File.WriteAllText(Path.Combine(_directory, "configure"), "#!/bin/sh\n");
        using var before = new ContentHash();
        var without = before.AddDirectory("click", _directory, ClickSource.Skipped).ToHex();
        Directory.CreateDirectory(Path.Combine(_directory, ".git", "objects"));
        File.WriteAllText(Path.Combine(_directory, ".git", "HEAD"), "ref: refs/heads/master\n");
        using var after = new ContentHash();

        Assert.That(after.AddDirectory("click", _directory, ClickSource.Skipped).ToHex(), Is.EqualTo(without));
    }
}
