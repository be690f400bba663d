using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

public sealed class DiskInputsHashTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateTree()
    {
        _directory = Directory.CreateTempSubdirectory("netserv-hash-").FullName;
        Directory.CreateDirectory(Path.Combine(_directory, "bin"));
        File.WriteAllText(Path.Combine(_directory, "bin", "netservd"), "program");
        File.WriteAllText(Path.Combine(_directory, "netserv.json"), "{}");
    }

    [TearDown]
    public void RemoveTree() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void AddTree_SameTree_SameHash_EvenWhenTouched()
    {
        var before = Hash();
        File.SetLastWriteTimeUtc(Path.Combine(_directory, "netserv.json"), DateTime.UtcNow.AddDays(-1));

        Assert.That(Hash(), Is.EqualTo(before));
    }

    [Test]
    public void AddTree_ChangedByte_ChangesTheHash()
    {
        var before = Hash();
        File.WriteAllText(Path.Combine(_directory, "bin", "netservd"), "programme");

        Assert.That(Hash(), Is.Not.EqualTo(before));
    }

    [Test]
    public void AddTree_RenamedFile_ChangesTheHash()
    {
        var before = Hash();
        File.Move(Path.Combine(_directory, "netserv.json"), Path.Combine(_directory, "netserv2.json"));

        Assert.That(Hash(), Is.Not.EqualTo(before));
    }

    [Test]
    public void AddTree_ModeChange_ChangesTheHash()
    {
        var before = Hash();
        File.SetUnixFileMode(Path.Combine(_directory, "bin", "netservd"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.That(Hash(), Is.Not.EqualTo(before));
    }

    [Test]
    public void AddText_ContentMovedBetweenTexts_ChangesTheHash()
    {
        using var first = new DiskInputsHash();
        using var second = new DiskInputsHash();

        Assert.That(first.AddText("a", "bc").ToHex(), Is.Not.EqualTo(second.AddText("ab", "c").ToHex()));
    }

    private string Hash()
    {
        using var hash = new DiskInputsHash();
        return hash.AddTree("payload", _directory).ToHex();
    }
}
