using NetServ.NodeImage;

namespace NetServ.NodeImage.Tests;

[TestFixture]
internal sealed class RecipeTests
{
    [Test]
    public void ParsePackages_LeavesOutCommentsAndBlankLines() =>
        Assert.That(ImageRecipe.ParsePackages("# list\niptables # the plane\n\n  sip-tester\n"), Is.EqualTo(new[] { "iptables", "sip-tester" }));

    [Test]
    public void PackageList_HasTheNodesRuntimeNeeds()
    {
        var recipe = ImageRecipe.Locate(Path.GetTempPath());

        Assert.That(recipe.Packages(), Is.SupersetOf(new[] { "iptables", "libnetfilter-queue1", "openssh-server", "sip-tester", "ffmpeg" }));
    }

    [Test]
    public void Missing_EmptyPayload_NamesEveryProgram()
    {
        var root = Directory.CreateTempSubdirectory("netserv-payload-").FullName;
        try
        {
            var missing = PayloadLayout.Missing(root);

            Assert.That(missing, Does.Contain("bin/netservd").And.Contain("bin/netserv-sandbox").And.Contain("apps/activecdn-provider").And.Contain("VERSION"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
