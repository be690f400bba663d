using System.Formats.Tar;
using System.IO.Compression;

namespace NetServ.NodeImage.Tests;

[TestFixture]
internal sealed class InstallTarballTests
{
    private string _output = null!;
    private ImageRecipe _recipe = null!;

    [SetUp]
    public void SetUp()
    {
        _output = Directory.CreateTempSubdirectory("netserv-image-").FullName;
        _recipe = new ImageRecipe(ImageRecipe.FindRepositoryRoot(AppContext.BaseDirectory)!, _output);
        foreach (var file in PayloadLayout.RequiredFiles())
        {
            var path = Path.Combine(_recipe.Payload, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file);
        }
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_output, recursive: true);

    [Test]
    public void Build_HoldsPayloadInstallScriptAndRecipeUnderOneTopDirectory()
    {
        var result = InstallTarball.Build(_recipe, click: false);

        var names = new List<string>();
        using (var reader = new TarReader(new GZipStream(File.OpenRead(result.Path), CompressionMode.Decompress)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name);
            }
        }

        Assert.That(names, Does.Contain("netserv/install.sh").And.Contain("netserv/bin/netservd").And.Contain("netserv/apps/keepalive-server")
            .And.Contain("netserv/image/packages.txt").And.Contain("netserv/image/rootfs/etc/systemd/system/netservd.service").And.Contain("netserv/FEATURES"));
        Assert.That(names, Has.All.StartsWith("netserv/"));
        Assert.That(Path.GetFileName(result.Path), Is.EqualTo($"netserv-node-{ImageRecipe.Version}.tar.gz"));
    }

    [Test]
    public void Build_NothingChanged_ReusesTheTarball()
    {
        var first = InstallTarball.Build(_recipe, click: false);
        var written = File.GetLastWriteTimeUtc(first.Path);

        var second = InstallTarball.Build(_recipe, click: false);

        Assert.That((first.Reused, second.Reused), Is.EqualTo((false, true)));
        Assert.That(File.GetLastWriteTimeUtc(second.Path), Is.EqualTo(written));
    }

    [Test]
    public void Build_PayloadChanged_BuildsAgainWithAnotherHash()
    {
        var first = InstallTarball.Build(_recipe, click: false);
        File.AppendAllText(Path.Combine(_recipe.Payload, "bin", "netservd"), "changed");

        var second = InstallTarball.Build(_recipe, click: false);

        Assert.That(second.Reused, Is.False);
        Assert.That(second.ContentHash, Is.Not.EqualTo(first.ContentHash));
    }

    [Test]
    public void Build_IncompletePayload_SaysWhatIsMissing()
    {
        File.Delete(Path.Combine(_recipe.Payload, "bin", "netserv-sandbox"));

        Assert.That(() => InstallTarball.Build(_recipe, click: false),
            Throws.TypeOf<ImageBuildException>().With.Message.Contains("bin/netserv-sandbox").And.Message.Contains("./lab image"));
    }
}
