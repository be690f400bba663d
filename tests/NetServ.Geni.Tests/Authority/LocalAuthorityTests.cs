using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Tests.Authority;

/// <summary>What <c>netserv-am init</c> makes: files a GENI client and the local aggregate use as they are.</summary>
public sealed class LocalAuthorityTests
{
    private const string Passphrase = "netserv-test";
    private string directory = null!;
    private FakeTimeProvider time = null!;

    [SetUp]
    public void MakeDirectory()
    {
        directory = Path.Combine(Directory.CreateTempSubdirectory("netserv-authority-").FullName, "authority");
        time = new FakeTimeProvider(DateTimeOffset.UtcNow);
    }

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);

    [Test]
    public void Make_UserPem_IsCertificateThenLegacyEncryptedKeyAsCloudLabGivesIt()
    {
        var files = new LocalAuthorityMaker(time).Make(directory, "alice", Passphrase);

        var pem = File.ReadAllText(files.UserPem("alice"));
        Assert.That(pem, Does.StartWith("-----BEGIN CERTIFICATE-----"));
        Assert.That(pem, Does.Contain("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,"));
        using var identity = GeniIdentity.LoadFile(files.UserPem("alice"), PassphraseSource.FromValue(Passphrase));
        Assert.That(identity.UserUrn, Is.EqualTo("urn:publicid:IDN+netserv.local+user+alice"));
    }

    [Test]
    public void Make_Keys_AreReadableByTheirOwnerOnly()
    {
        var files = new LocalAuthorityMaker(time).Make(directory, "alice", Passphrase);

        Assert.That(File.GetUnixFileMode(files.AuthorityKey), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(files.UserPem("alice")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void Make_Root_IsACertificateAuthorityNamingTheSliceAuthorityUrn()
    {
        var files = new LocalAuthorityMaker(time).Make(directory, "alice", Passphrase);

        using var root = X509Certificate2.CreateFromPem(File.ReadAllText(files.AuthorityCertificate));
        Assert.That(GeniIdentity.PublicIdUrnsOf(root), Does.Contain("urn:publicid:IDN+netserv.local+authority+sa"));
        Assert.That(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority, Is.True);
    }

    [Test]
    public void Make_SliceCredentialOfTheLoadedAuthority_VerifiesAgainstTheTrustDirectory()
    {
        var files = new LocalAuthorityMaker(time).Make(directory, "alice", Passphrase);
        using var identity = GeniIdentity.LoadFile(files.UserPem("alice"), PassphraseSource.FromValue(Passphrase));
        using var authority = files.Load(time);
        using var roots = TrustRoots.LoadDirectory(files.TrustedRoots);
        var verifier = new CredentialVerifier(roots, time);

        var slice = authority.IssueSliceCredential(identity.Certificate, "s1");

        var check = verifier.Verify(slice, identity.Certificate, "urn:publicid:IDN+netserv.local+slice+s1", "createsliver");
        Assert.That(check.IsAccepted, Is.True, check.Message);
        var user = verifier.Verify(File.ReadAllText(files.UserCredential("alice")), identity.Certificate, identity.UserUrn);
        Assert.That(user.IsAccepted, Is.True, user.Message);
    }

    [Test]
    public void Make_DirectoryWithAnAuthority_IsRefusedAndLeftAsItWas()
    {
        var maker = new LocalAuthorityMaker(time);
        var files = maker.Make(directory, "alice", Passphrase);
        var root = File.ReadAllText(files.AuthorityCertificate);

        var e = Assert.Throws<CredentialException>(() => maker.Make(directory, "bob", Passphrase))!;

        Assert.That(e.Message, Does.Contain("already holds a local authority"));
        Assert.That(File.ReadAllText(files.AuthorityCertificate), Is.EqualTo(root));
        Assert.That(File.Exists(files.UserPem("bob")), Is.False);
    }

    [TestCase("../etc")]
    [TestCase("al ice")]
    [TestCase("")]
    public void Make_UserNameNoUrnCanCarry_IsRefused(string name)
    {
        Assert.Throws<ArgumentException>(() => new LocalAuthorityMaker(time).Make(directory, name, Passphrase));
    }

    [Test]
    public void IssueSliceCredential_AfterTheOwnersCertificateEnds_ExpiresWithIt()
    {
        using var authority = LocalAuthority.Create(time, new LocalAuthorityOptions { UserLifetime = TimeSpan.FromDays(2) });
        using var key = RSA.Create(2048);
        using var user = authority.IssueUserCertificate("alice", key);

        var credential = GeniCredential.Parse(authority.IssueSliceCredential(user, "s1", time.GetUtcNow().AddDays(30)));

        Assert.That(credential.Expires, Is.EqualTo(new DateTimeOffset(user.NotAfter.ToUniversalTime())).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void LegacyPemKey_EncryptToPem_DecryptsToTheSameKey()
    {
        using var rsa = RSA.Create(2048);
        var der = rsa.ExportRSAPrivateKey();

        var block = PemBlock.ReadAll(LegacyPemKey.EncryptToPem(der, Passphrase)).Single();

        Assert.That(block.Label, Is.EqualTo("RSA PRIVATE KEY"));
        Assert.That(block.Headers["Proc-Type"], Is.EqualTo("4,ENCRYPTED"));
        Assert.That(LegacyPemKey.Decrypt(block.Headers["DEK-Info"], block.Data, Passphrase), Is.EqualTo(der));
    }

    [Test]
    public void LegacyPemKey_EncryptToPem_OpenSslReadsIt()
    {
        var openssl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "openssl")).FirstOrDefault(File.Exists);
        if (openssl is null)
        {
            Assert.Ignore("openssl is not installed");
        }

        using var rsa = RSA.Create(2048);
        var file = Path.Combine(Path.GetDirectoryName(directory)!, "key.pem");
        File.WriteAllText(file, LegacyPemKey.EncryptToPem(rsa.ExportRSAPrivateKey(), Passphrase));
        var start = new ProcessStartInfo(openssl!, ["rsa", "-in", file, "-passin", "pass:" + Passphrase, "-noout", "-modulus"]) { RedirectStandardOutput = true, RedirectStandardError = true };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.That(output.Trim(), Is.EqualTo("Modulus=" + Convert.ToHexString(rsa.ExportParameters(false).Modulus!)));
    }
}
