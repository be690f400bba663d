using System.IO.Compression;
using System.Text;
using NetServ.Sdk.Packaging;
using NetServ.Testbed.Nodes;

namespace NetServ.Sdk.Tests.Packaging;

[TestFixture]
public sealed class ModulePackageTests
{
    private const string NetMonitorId = "NetServ.Apps.NetMonitor";
    private static readonly Lazy<string> NetMonitorPackage = new(() => BuildOutputs.EnsurePackage(NetMonitorId, "applications/NetMonitor"));
    private static readonly Lazy<string> NotAModulePackage = new(() => BuildOutputs.EnsurePackage("NetServ.TestModules.NotAModule", "tests/TestModules/NotAModule"));

    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("netserv-package-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Inspect_NetMonitorPackage_FindsItsEntryType()
    {
        var info = ModulePackage.Inspect(NetMonitorPackage.Value);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.PackageId, Is.EqualTo(NetMonitorId));
            Assert.That(info.Version, Is.EqualTo("1.0.0"));
            Assert.That(info.ModuleName, Is.EqualTo("NetServ.Apps.NetMonitor_1.0.0"));
            Assert.That(info.AssemblyFile, Is.EqualTo("NetServ.Apps.NetMonitor.dll"));
            Assert.That(info.EntryType, Is.EqualTo("NetServ.Apps.NetMonitor.NetMonitorModule"));
            Assert.That(info.Files, Does.Contain("NetServ.Apps.NetMonitor.dll"));
            Assert.That(info.Files, Does.Not.Contain("NetServ.Sdk.dll"), "the SDK comes from the container, not the package");
            Assert.That(info.Files, Does.Not.Contain("NetServ.Networking.dll"), "the SDK's networking types come from the container, not the package");
        }
    }

    [Test]
    public void Inspect_NotAModulePackage_IsRefusedNamingTheAttribute()
    {
        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(NotAModulePackage.Value));

        Assert.That(e!.Message, Does.Contain("NetServModule").And.Contain("not a module"));
    }

    [Test]
    public void Inspect_NotAZip_IsRefused()
    {
        var path = Write("garbage.nupkg", "this is not a zip archive"u8.ToArray());

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("not a zip"));
    }

    [Test]
    public void Inspect_NoNuspec_IsRefused()
    {
        var path = Zip(("lib/net10.0/Foo.dll", ModuleAssembly()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain(".nuspec"));
    }

    [Test]
    public void Inspect_NuspecOnlyInASubfolder_IsRefused()
    {
        var path = Zip(("content/Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Foo.dll", ModuleAssembly()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("no .nuspec"));
    }

    [Test]
    public void Inspect_NuspecNotXml_IsRefused()
    {
        var path = Zip(("Foo.nuspec", "<package><metadata>"u8.ToArray()), ("lib/net10.0/Foo.dll", ModuleAssembly()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("not XML"));
    }

    [TestCase(null, "1.0.0")]
    [TestCase("Foo", null)]
    [TestCase("", "1.0.0")]
    [TestCase("Foo", "  ")]
    public void Inspect_NuspecWithoutIdOrVersion_IsRefused(string? id, string? version)
    {
        var path = Zip(("Foo.nuspec", Nuspec(id, version)), ("lib/net10.0/Foo.dll", ModuleAssembly()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("no id or version"));
    }

    [Test]
    public void Inspect_AssemblyOnlyForAnotherFramework_IsRefused()
    {
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net8.0/Foo.dll", ModuleAssembly()), ("lib/net10.0/readme.txt", [1]));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("no assembly under lib/net10.0/"));
    }

    [Test]
    public void Inspect_AssemblyInASubfolderOfLib_IsNotTheModule()
    {
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/sub/Foo.dll", ModuleAssembly()));

        Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));
    }

    [Test]
    public void Inspect_DllThatIsNotADotNetAssembly_IsRefused()
    {
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Foo.dll", "MZ but nothing else"u8.ToArray()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("Foo.dll is not a .NET assembly"));
    }

    [Test]
    public void Inspect_AssemblyWithoutTheAttribute_IsRefused()
    {
        var sdk = File.ReadAllBytes(typeof(ModulePackage).Assembly.Location);
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Foo.dll", sdk));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("NetServModule"));
    }

    [Test]
    public void Inspect_SeveralAssembliesNoneNamedAfterThePackage_IsRefused()
    {
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/A.dll", ModuleAssembly()), ("lib/net10.0/B.dll", ModuleAssembly()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("Foo.dll"));
    }

    [Test]
    public void Inspect_OneAssemblyUnderAnotherName_IsTheModule()
    {
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "2.1.0-beta")), ("lib/net10.0/Renamed.dll", ModuleAssembly()));

        var info = ModulePackage.Inspect(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.ModuleName, Is.EqualTo("Foo_2.1.0-beta"));
            Assert.That(info.AssemblyFile, Is.EqualTo("Renamed.dll"));
            Assert.That(info.EntryType, Is.EqualTo("NetServ.Apps.NetMonitor.NetMonitorModule"));
        }
    }

    [Test]
    public void Inspect_ModuleWithPrivateDependencies_ListsEveryAssembly()
    {
        var sdk = File.ReadAllBytes(typeof(ModulePackage).Assembly.Location);
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Helper.dll", sdk), ("lib/net10.0/Foo.dll", ModuleAssembly()));

        var info = ModulePackage.Inspect(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.AssemblyFile, Is.EqualTo("Foo.dll"));
            Assert.That(info.Files, Is.EquivalentTo(new[] { "Helper.dll", "Foo.dll" }));
        }
    }

    [TestCase("../evil.txt")]
    [TestCase("lib/net10.0/../../evil.dll")]
    [TestCase("/etc/evil")]
    [TestCase("lib\\net10.0\\evil.dll")]
    public void Inspect_UnsafeEntryName_IsRefused(string name)
    {
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Foo.dll", ModuleAssembly()), (name, [1, 2, 3]));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("unsafe entry name"));
    }

    [Test]
    public void Inspect_TooManyEntries_IsRefused()
    {
        var entries = Enumerable.Range(0, 1001).Select(i => ($"content/{i}.txt", new byte[] { 1 })).ToList();
        entries.Add(("Foo.nuspec", Nuspec("Foo", "1.0.0")));
        entries.Add(("lib/net10.0/Foo.dll", ModuleAssembly()));
        var path = Zip([.. entries]);

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("entries"));
    }

    [Test]
    public void Extract_NetMonitorPackage_WritesOnlyTheAssemblies()
    {
        var info = ModulePackage.Inspect(NetMonitorPackage.Value);
        var destination = Path.Combine(_directory, "code");

        ModulePackage.Extract(NetMonitorPackage.Value, info, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Directory.GetFiles(destination).Select(Path.GetFileName), Is.EquivalentTo(info.Files));
            Assert.That(File.ReadAllBytes(Path.Combine(destination, info.AssemblyFile)), Is.EqualTo(ModuleAssembly()));
        }
    }

    [Test]
    public void Extract_DestinationWithOldFiles_IsEmptiedFirst()
    {
        var destination = Path.Combine(_directory, "code");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "stale.dll"), "old");
        File.WriteAllText(Path.Combine(destination, "Foo.dll"), "old");
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Foo.dll", ModuleAssembly()));
        var info = ModulePackage.Inspect(path);

        ModulePackage.Extract(path, info, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Directory.GetFiles(destination).Select(Path.GetFileName), Is.EqualTo(new[] { "Foo.dll" }));
            Assert.That(File.ReadAllBytes(Path.Combine(destination, "Foo.dll")), Is.EqualTo(ModuleAssembly()));
        }
    }

    [Test]
    public void Extract_SameFileNameDeeperUnderLib_ExtractsTheInspectedAssembly()
    {
        // Inspect reads lib/net10.0/Foo.dll; an entry further down with the same file name must not take its place.
        var path = Zip(
            ("Foo.nuspec", Nuspec("Foo", "1.0.0")),
            ("lib/net10.0/other/Foo.dll", "not the module"u8.ToArray()),
            ("lib/net10.0/Foo.dll", ModuleAssembly()));
        var info = ModulePackage.Inspect(path);
        var destination = Path.Combine(_directory, "code");

        ModulePackage.Extract(path, info, destination);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.ReadAllBytes(Path.Combine(destination, "Foo.dll")), Is.EqualTo(ModuleAssembly()));
            Assert.That(Directory.GetFiles(destination, "*", SearchOption.AllDirectories), Has.Length.EqualTo(1));
        }
    }

    [Test]
    public void Inspect_SameAssemblyTwice_IsRefused()
    {
        // Zip archives may hold two entries of one name; only one of them could be extracted.
        var path = Zip(("Foo.nuspec", Nuspec("Foo", "1.0.0")), ("lib/net10.0/Foo.dll", ModuleAssembly()), ("LIB/net10.0/Foo.dll", ModuleAssembly()));

        var e = Assert.Throws<ModulePackageException>(() => ModulePackage.Inspect(path));

        Assert.That(e!.Message, Does.Contain("Foo.dll more than once"));
    }

    /// <summary>The NetMonitor module assembly, taken from its real package: a valid module to put in synthetic packages.</summary>
    private static byte[] ModuleAssembly()
    {
        using var archive = ZipFile.OpenRead(NetMonitorPackage.Value);
        using var stream = archive.GetEntry($"lib/net10.0/{NetMonitorId}.dll")!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] Nuspec(string? id, string? version)
    {
        var metadata = new StringBuilder();
        if (id is not null)
        {
            metadata.Append($"<id>{id}</id>");
        }

        if (version is not null)
        {
            metadata.Append($"<version>{version}</version>");
        }

        return Encoding.UTF8.GetBytes(
            $"""<?xml version="1.0" encoding="utf-8"?><package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"><metadata>{metadata}<authors>test</authors></metadata></package>""");
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Zip(params (string Name, byte[] Bytes)[] entries)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.nupkg");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = archive.CreateEntry(name).Open();
            stream.Write(bytes);
        }

        return path;
    }
}
