namespace NetServ.NodeImage.Tests;

[TestFixture]
internal sealed class AptSourceTests
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

        Assert.That(AptSource.FindMirror(text, "bookworm"), Is.EqualTo(new Uri("http://mirror.example/debian")));
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

        Assert.That(AptSource.FindMirror(text, "bookworm"), Is.Null);
    }

    [Test]
    public void FindMirror_Deb822_ContinuationLinesOfAnEmbeddedKeyAreNotFields()
    {
        const string text = """
            Types: deb
            URIs: http://mirror.example/debian
            Suites: bookworm
            Signed-By:
             -----BEGIN PGP PUBLIC KEY BLOCK-----
             Suites: bookworm-not
             -----END PGP PUBLIC KEY BLOCK-----
            """;

        Assert.That(AptSource.FindMirror(text, "bookworm"), Is.EqualTo(new Uri("http://mirror.example/debian")));
    }

    [TestCase("deb http://mirror.example/debian bookworm main", "http://mirror.example/debian")]
    [TestCase("deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main", "http://mirror.example/debian")]
    [TestCase("deb-src http://src.example/debian bookworm main\ndeb [arch=amd64] http://mirror.example/debian bookworm main", "http://mirror.example/debian")]
    [TestCase("deb http://mirror.example/debian bookworm-updates main", null)]
    [TestCase("# deb http://mirror.example/debian bookworm main", null)]
    [TestCase("deb https://packages.example/apt cloud-sdk-bookworm main\nTypes: deb\nURIs: https://n.example/node\nSuites: nodistro\n", null)]
    public void FindMirror_OneLineFormat(string text, string? expected) =>
        Assert.That(AptSource.FindMirror(text, "bookworm"), Is.EqualTo(expected is null ? null : new Uri(expected)));

    [Test]
    public void FindConfiguredMirror_SourcesListBeforeTheDirectory_InNameOrder()
    {
        var apt = Directory.CreateTempSubdirectory("netserv-apt-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(apt, "sources.list.d"));
            File.WriteAllText(Path.Combine(apt, "sources.list.d", "b.list"), "deb http://b.example/debian bookworm main\n");
            File.WriteAllText(Path.Combine(apt, "sources.list.d", "a.sources"), "Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\n");
            File.WriteAllText(Path.Combine(apt, "sources.list.d", "0.disabled"), "deb http://ignored.example/debian bookworm main\n");
            var fromDirectory = AptSource.FindConfiguredMirror("bookworm", apt);
            File.WriteAllText(Path.Combine(apt, "sources.list"), "deb http://list.example/debian bookworm main\n");

            Assert.Multiple(() =>
            {
                Assert.That(fromDirectory, Is.EqualTo(new Uri("http://a.example/debian")));
                Assert.That(AptSource.FindConfiguredMirror("bookworm", apt), Is.EqualTo(new Uri("http://list.example/debian")));
            });
        }
        finally
        {
            Directory.Delete(apt, recursive: true);
        }
    }
}
