using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Authority;
using NetServ.Geni.Identity;

namespace NetServ.AggregateManager.Tests;

/// <summary><c>netserv-am init</c> and the parts of <c>serve</c> that need no Docker engine.</summary>
[TestFixture]
public sealed class CommandsTests
{
    private const string Passphrase = "netserv-test";
    private string directory = null!;

    [SetUp]
    public void CreateDirectory() => directory = Path.Combine(System.IO.Directory.CreateTempSubdirectory("netserv-am-cli-").FullName, "authority");

    [TearDown]
    public void RemoveDirectory() => System.IO.Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);

    [Test]
    public void Init_EmptyDirectory_MakesTheAuthorityAndACloudLabLayoutIdentityAndSaysHowToUseThem()
    {
        using var output = new StringWriter();

        var exit = InitCommand.Run(directory, "alice", Passphrase, output, TextWriter.Null);

        var files = new LocalAuthorityFiles(Path.GetFullPath(directory));
        using var alice = GeniIdentity.LoadFile(files.UserPem("alice"), PassphraseSource.FromValue(Passphrase));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(alice.UserUrn, Is.EqualTo("urn:publicid:IDN+netserv.local+user+alice"));
            Assert.That(File.ReadAllText(files.UserPem("alice")), Does.Contain("Proc-Type: 4,ENCRYPTED").And.Contain("DEK-Info: DES-EDE3-CBC"));
            Assert.That(System.IO.Directory.EnumerateFiles(files.TrustedRoots), Has.Exactly(1).Items);
            Assert.That(output.ToString(), Does.Contain(files.UserPem("alice")).And.Contain($"netserv-am serve --dir {files.Directory}"));
        });
    }

    [Test]
    public void Init_DirectoryWithAnAuthority_RefusedAndLeftAlone()
    {
        InitCommand.Run(directory, "alice", Passphrase, TextWriter.Null, TextWriter.Null);
        var before = File.ReadAllText(new LocalAuthorityFiles(directory).AuthorityCertificate);
        using var error = new StringWriter();

        var exit = InitCommand.Run(directory, "bob", Passphrase, TextWriter.Null, error);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error.ToString(), Does.Contain("already holds a local authority"));
            Assert.That(File.ReadAllText(new LocalAuthorityFiles(directory).AuthorityCertificate), Is.EqualTo(before));
        });
    }

    [Test]
    public void Init_UserNameAUrnCannotCarry_BadArguments()
    {
        using var error = new StringWriter();

        var exit = InitCommand.Run(directory, "al ice", Passphrase, TextWriter.Null, error);

        Assert.That((exit, error.ToString()), Is.EqualTo((2, error.ToString())));
        Assert.That(error.ToString(), Does.Contain("\"al ice\" is not a name a URN can carry"));
    }

    [Test]
    public async Task Serve_NoAuthorityInTheDirectory_FailsSayingToRunInit()
    {
        using var error = new StringWriter();

        var exit = await ServeCommand.ServeAsync(new ServeSettings { Directory = directory, Port = 0 }, TextWriter.Null, error, null, null, CancellationToken.None);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(error.ToString(), Does.Contain("make one with netserv-am init"));
    }

    [Test]
    public async Task Serve_LocalTestbed_RefusedAsNotProvided()
    {
        using var error = new StringWriter();

        var exit = await AmCommands.RunAsync(["serve", "--dir", directory, "--testbed", "local"], TextWriter.Null, error);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain("--testbed local"));
    }

    [Test]
    public async Task Serve_UnknownTestbed_BadArguments()
    {
        var exit = await AmCommands.RunAsync(["serve", "--testbed", "cloud"], TextWriter.Null, TextWriter.Null);

        Assert.That(exit, Is.EqualTo(2));
    }

    [Test]
    public void ServerCertificate_Issued_ChainsToTheAuthorityAndNamesLoopback()
    {
        using var authority = LocalAuthority.Create(TimeProvider.System);
        using var other = LocalAuthority.Create(TimeProvider.System);

        using var server = ServerCertificate.Issue(authority, TimeProvider.System);

        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses();
        Assert.Multiple(() =>
        {
            Assert.That(server.HasPrivateKey, Is.True);
            Assert.That(names, Does.Contain(System.Net.IPAddress.Loopback));
            Assert.That(NetServ.Geni.AmApi.AggregateAccess.ChainsTo(authority.Certificate, server, DateTimeOffset.UtcNow), Is.True);
            Assert.That(NetServ.Geni.AmApi.AggregateAccess.ChainsTo(other.Certificate, server, DateTimeOffset.UtcNow), Is.False, "another authority's root");
        });
    }
}
