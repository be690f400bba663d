using NetServ.NodeImage;

namespace NetServ.NodeImage.Tests;

[TestFixture]
internal sealed class AptSourceTests
{
    [Test]
    public void FindMirror_Deb822_TakesTheStanzaOfTheSuite()
    {
        const string text = """
            Types: deb
            URIs: http://security.example/debian-security
            Suites: bookworm-security
            Components: main

            Types: deb
            # a comment
            URIs: http://mirror.example/debian
            Suites: bookworm bookworm-updates
            Components: main
            """;

        Assert.That(AptSource.FindMirror(text, "bookworm"), Is.EqualTo(new Uri("http://mirror.example/debian")));
    }

    [Test]
    public void FindMirror_OneLineWithOptions_SkipsTheOptions() =>
        Assert.That(
            AptSource.FindMirror("deb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main\n", "bookworm"),
            Is.EqualTo(new Uri("http://mirror.example/debian")));

    [Test]
    public void FindMirror_OtherSuitesOnly_Null() =>
        Assert.That(AptSource.FindMirror("deb https://packages.example/apt cloud-sdk-bookworm main\nTypes: deb\nURIs: https://n.example/node\nSuites: nodistro\n", "bookworm"), Is.Null);
}
