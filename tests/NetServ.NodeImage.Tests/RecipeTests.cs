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

    [TestCase("netservd.pdb")]
    [TestCase("NetServ.Sdk.xml")]
    [TestCase("libmscordaccore.so")]
    [TestCase("libmscordbi.so")]
    [TestCase("createdump")]
    [TestCase("libcoreclrtraceptprovider.so")]
    public void IsLeftOut_SymbolsAndDebuggingSupport_LeftOut(string file) => Assert.That(PayloadLayout.IsLeftOut(file), Is.True);

    [TestCase("libcoreclr.so")]
    [TestCase("libclrjit.so")]
    [TestCase("libclrgc.so")]
    [TestCase("Microsoft.VisualBasic.Core.dll")]
    [TestCase("netservd.runtimeconfig.json")]
    [TestCase("netservd")]
    public void IsLeftOut_WhatProgramsAndModulesLoad_Kept(string file) => Assert.That(PayloadLayout.IsLeftOut(file), Is.False);

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
