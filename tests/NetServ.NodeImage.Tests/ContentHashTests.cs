namespace NetServ.NodeImage.Tests;

[TestFixture]
internal sealed class ContentHashTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-hash-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private string Tree(string name, params (string Path, string Text)[] files)
    {
        var root = Path.Combine(_directory, name);
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllText(Path.Combine(root, path), text);
        }

        return root;
    }

    private static string Hash(string tree)
    {
        using var hash = new ContentHash();
        return hash.Add("version", "1").AddDirectory("payload", tree).ToHex();
    }

    private static string Value(string name, string value)
    {
        using var hash = new ContentHash();
        return hash.Add(name, value).ToHex();
    }

    [Test]
    public void AddDirectory_SameContentAtOtherTimes_SameHash()
    {
        var first = Tree("a", ("bin/netservd", "x"), ("modules/m.nupkg", "y"));
        var second = Tree("b", ("modules/m.nupkg", "y"), ("bin/netservd", "x"));
        File.SetLastWriteTimeUtc(Path.Combine(second, "bin/netservd"), DateTime.UnixEpoch);

        Assert.That(Hash(second), Is.EqualTo(Hash(first)));
    }

    [Test]
    public void AddDirectory_ChangedContent_ChangesHash()
    {
        var first = Tree("a", ("bin/netservd", "x"));
        var second = Tree("b", ("bin/netservd", "z"));

        Assert.That(Hash(second), Is.Not.EqualTo(Hash(first)));
    }

    [Test]
    public void AddDirectory_AddedOrRenamedFile_ChangesHash()
    {
        var first = Tree("a", ("bin/netservd", "x"));
        var added = Tree("b", ("bin/netservd", "x"), ("bin/netserv", ""));
        var renamed = Tree("c", ("bin/netserv", "x"));

        Assert.That(new[] { Hash(added), Hash(renamed) }, Has.None.EqualTo(Hash(first)));
    }

    [Test]
    public void AddDirectory_ExecuteBitSet_ChangesHash()
    {
        var first = Tree("a", ("bin/netservd", "x"));
        var second = Tree("b", ("bin/netservd", "x"));
        File.SetUnixFileMode(Path.Combine(second, "bin/netservd"), TarFiles.Executable);

        Assert.That(Hash(second), Is.Not.EqualTo(Hash(first)));
    }

    [Test]
    public void AddDirectory_SymlinkRetargeted_ChangesHash()
    {
        var first = Tree("a", ("bin/netservd", "x"));
        var second = Tree("b", ("bin/netservd", "x"));
        File.CreateSymbolicLink(Path.Combine(first, "bin/netserv"), "netservd");
        File.CreateSymbolicLink(Path.Combine(second, "bin/netserv"), "netserv-container");

        Assert.That(Hash(second), Is.Not.EqualTo(Hash(first)));
    }

    [Test]
    public void AddDirectory_Missing_Throws() =>
        Assert.That(() => Hash(Path.Combine(_directory, "none")), Throws.InstanceOf<DirectoryNotFoundException>());

    [Test]
    public void Add_OtherValue_ChangesHash() =>
        Assert.That(Value("mirror", "http://a/"), Is.Not.EqualTo(Value("mirror", "http://b/")));

    [Test]
    public void Add_ContentMovedBetweenNameAndValue_ChangesHash() =>
        Assert.That(Value("a", "bc"), Is.Not.EqualTo(Value("ab", "c")));
}
