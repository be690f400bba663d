using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

public sealed class DiskAptSourceTests
{
    [Test]
    public void FindMirror_Deb822_TakesTheStanzaOfTheSuiteNotTheSecurityOne()
    {
        const string text = """
            Types: deb
            URIs: http://security.example/debian-security
            Suites: bookworm-security
            Components: main

            Types: deb
            # a comment
            URIs: http://mirror.example/debian http://other.example/debian
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
            """;

        Assert.That(DiskAptSource.FindMirror(text, "bookworm"), Is.EqualTo("http://mirror.example/debian"));
    }

    [Test]
    public void FindMirror_Deb822_SkipsDisabledAndSourceOnlyStanzas()
    {
        const string text = """
            Types: deb
            URIs: http://disabled.example/debian
            Suites: bookworm
            Enabled: no

            Types: deb-src
            URIs: http://src.example/debian
            Suites: bookworm
            """;

        Assert.That(DiskAptSource.FindMirror(text, "bookworm"), Is.Null);
    }

    [TestCase("deb http://mirror.example/debian bookworm main", "http://mirror.example/debian")]
    [TestCase("deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main", "http://mirror.example/debian")]
    [TestCase("deb http://mirror.example/debian bookworm-updates main", null)]
    [TestCase("# deb http://mirror.example/debian bookworm main", null)]
    public void FindMirror_OneLineFormat(string line, string? expected)
    {
        Assert.That(DiskAptSource.FindMirror(line, "bookworm"), Is.EqualTo(expected));
    }
}
