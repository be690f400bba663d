using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Identity;

namespace NetServ.Geni.Tests.Identity;

/// <summary>The fixtures are made by Fixtures/make-fixtures.sh with openssl; the passphrase is "netserv-test".</summary>
public sealed class GeniIdentityTests
{
    private const string Passphrase = "netserv-test";
    private const string AliceUrn = "urn:publicid:IDN+emulab.net+user+alice";

    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Identity", "Fixtures", name);

    private static string Read(string name) => File.ReadAllText(Fixture(name));

    [Test]
    public void LoadFile_CloudLabPemWithDes3Key_GivesCertificateWithTheDecryptedKeyAndUrn()
    {
        using var identity = GeniIdentity.LoadFile(Fixture("cloudlab.pem"), PassphraseSource.FromValue(Passphrase));
        using var expected = RSA.Create();
        expected.ImportFromPem(Read("key-rsa.pem"));

        Assert.That(identity.UserUrn, Is.EqualTo(AliceUrn));
        Assert.That(identity.Certificate.HasPrivateKey, Is.True);
        using var key = identity.Certificate.GetRSAPrivateKey()!;
        Assert.That(key.ExportParameters(true).D, Is.EqualTo(expected.ExportParameters(true).D));
    }

    [TestCase("key-rsa.pem", false)]
    [TestCase("key-rsa-des3.pem", true)]
    [TestCase("key-rsa-aes256.pem", true)]
    [TestCase("key-pkcs8.pem", false)]
    [TestCase("key-pkcs8-encrypted.pem", true)]
    public void Load_EveryKeyForm_GivesTheSameKey(string keyFile, bool encrypted)
    {
        var asked = 0;
        var source = PassphraseSource.FromPrompt(_ =>
        {
            asked++;
            return Passphrase;
        });

        using var identity = GeniIdentity.Load(Read(keyFile) + Read("cert.pem"), source);

        using var key = identity.Certificate.GetRSAPrivateKey()!;
        using var expected = RSA.Create();
        expected.ImportFromPem(Read("key-rsa.pem"));
        Assert.That(key.ExportParameters(true).D, Is.EqualTo(expected.ExportParameters(true).D));
        Assert.That(asked, Is.EqualTo(encrypted ? 1 : 0));
    }

    [Test]
    public void Load_CertificateBeforeKey_IsRead()
    {
        using var identity = GeniIdentity.Load(Read("cert.pem") + Read("key-rsa-des3.pem"), PassphraseSource.FromValue(Passphrase));

        Assert.That(identity.UserUrn, Is.EqualTo(AliceUrn));
    }

    [TestCase("cloudlab.pem")]
    [TestCase("key-pkcs8-encrypted.pem")]
    public void Load_WrongPassphrase_SaysSo(string file)
    {
        var pem = file == "cloudlab.pem" ? Read(file) : Read(file) + Read("cert.pem");

        var e = Assert.Throws<IdentityException>(() => GeniIdentity.Load(pem, PassphraseSource.FromValue("wrong"), "cloudlab.pem"))!;

        Assert.That(e.Message, Does.StartWith("wrong passphrase for the private key in cloudlab.pem"));
    }

    [Test]
    public void Load_EncryptedWithoutPassphraseSource_SaysItIsEncrypted()
    {
        var e = Assert.Throws<IdentityException>(() => GeniIdentity.Load(Read("cloudlab.pem"), null))!;

        Assert.That(e.Message, Does.Contain("is encrypted"));
    }

    [Test]
    public void Load_PassphraseFromEnvironment_IsUsed()
    {
        const string variable = "NETSERV_GENI_TEST_PASSPHRASE";
        Environment.SetEnvironmentVariable(variable, Passphrase);
        try
        {
            using var identity = GeniIdentity.Load(Read("cloudlab.pem"), PassphraseSource.FromEnvironment(variable));

            Assert.That(identity.UserUrn, Is.EqualTo(AliceUrn));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Test]
    public void Load_PassphraseEnvironmentVariableUnset_NamesTheVariable()
    {
        var e = Assert.Throws<IdentityException>(() => GeniIdentity.Load(Read("cloudlab.pem"), PassphraseSource.FromEnvironment("NETSERV_GENI_TEST_UNSET")))!;

        Assert.That(e.Message, Does.Contain("NETSERV_GENI_TEST_UNSET"));
    }

    [Test]
    public void Load_PassphraseFromFile_UsesItsFirstLine()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Passphrase + "\n");

            using var identity = GeniIdentity.Load(Read("cloudlab.pem"), PassphraseSource.FromFile(path));

            Assert.That(identity.UserUrn, Is.EqualTo(AliceUrn));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Load_KeyOfAnotherCertificate_SaysTheyDoNotMatch()
    {
        var e = Assert.Throws<IdentityException>(() => GeniIdentity.Load(Read("other-key-rsa.pem") + Read("cert.pem"), null))!;

        Assert.That(e.Message, Does.Contain("is not the key of its certificate"));
    }

    [Test]
    public void Load_NoCertificate_SaysSo()
    {
        var e = Assert.Throws<IdentityException>(() => GeniIdentity.Load(Read("key-rsa.pem"), null))!;

        Assert.That(e.Message, Does.Contain("no certificate"));
    }

    [Test]
    public void Load_CertificateWithoutUserUrn_SaysSo()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=bob", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri("urn:publicid:IDN+emulab.net+authority+sa"));
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var pem = key.ExportRSAPrivateKeyPem() + "\n" + certificate.ExportCertificatePem();

        var e = Assert.Throws<IdentityException>(() => GeniIdentity.Load(pem, null))!;

        Assert.That(e.Message, Does.Contain("names no user URN"));
    }

    // openssl enc -des-ede3-cbc -md md5 -S 394DC7C985AD3EBA -pass pass:netserv-test -P
    [Test]
    public void BytesToKey_MatchesOpenSsl()
    {
        var key = LegacyPemKey.BytesToKey("netserv-test"u8, Convert.FromHexString("394DC7C985AD3EBA"), 24);

        Assert.That(Convert.ToHexString(key), Is.EqualTo("57D4DF3285ABAA9DA6660D20EBA4833ABEF43B60BB0C694C"));
    }
}
