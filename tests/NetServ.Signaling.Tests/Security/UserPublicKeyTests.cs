using System.Security.Cryptography;
using NetServ.Signaling.Security;

namespace NetServ.Signaling.Tests.Security;

[TestFixture]
public sealed class UserPublicKeyTests
{
    [Test]
    public void TryParse_P256Pem_IsAnEcdsaKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = ecdsa.ExportSubjectPublicKeyInfoPem();

        var ok = UserPublicKey.TryParse(pem, out var key, out var error);

        Assert.That(ok, Is.True, error);
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(key!.Algorithm, Is.EqualTo(UserKeyAlgorithm.EcdsaP256));
            Assert.That(key.SubjectPublicKeyInfo, Is.EqualTo(ecdsa.ExportSubjectPublicKeyInfo()));
            Assert.That(key.PublicKey, Is.EqualTo(new byte[] { 0x04 }.Concat(point.X!).Concat(point.Y!).ToArray()), "the uncompressed point");
        }
    }

    [Test]
    public void TryParse_P256BareBase64_IsTheSameKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var base64 = Convert.ToBase64String(ecdsa.ExportSubjectPublicKeyInfo());
        Assert.That(UserPublicKey.TryParse(ecdsa.ExportSubjectPublicKeyInfoPem(), out var fromPem, out _), Is.True);

        var ok = UserPublicKey.TryParse($"  {base64}\n", out var key, out var error);

        Assert.That(ok, Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(key!.Algorithm, Is.EqualTo(UserKeyAlgorithm.EcdsaP256));
            Assert.That(key.PublicKey, Is.EqualTo(fromPem!.PublicKey));
        }
    }

    [Test]
    public void TryParse_PemWithTextAround_FindsTheBlock()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var text = "alice's key:\n" + ecdsa.ExportSubjectPublicKeyInfoPem() + "\n(end)\n";

        Assert.That(UserPublicKey.TryParse(text, out _, out var error), Is.True, error);
    }

    [Test]
    public void TryParse_P384_IsRefusedAsNotP256()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var ok = UserPublicKey.TryParse(ecdsa.ExportSubjectPublicKeyInfoPem(), out var key, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(key, Is.Null);
            Assert.That(error, Does.Contain("P-256"));
        }
    }

    [Test]
    public void TryParse_Rsa_IsRefusedAsUnsupported()
    {
        using var rsa = RSA.Create(2048);

        var ok = UserPublicKey.TryParse(rsa.ExportSubjectPublicKeyInfoPem(), out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain("unsupported key algorithm 1.2.840.113549.1.1.1"));
        }
    }

    [Test]
    public void TryParse_Ed25519Spki_IsAnEd25519Key()
    {
        var raw = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var der = Convert.FromHexString("302a300506032b6570032100").Concat(raw).ToArray();
        var pem = PemEncoding.WriteString("PUBLIC KEY", der);

        var ok = UserPublicKey.TryParse(pem, out var key, out var error);

        Assert.That(ok, Is.True, error);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(key!.Algorithm, Is.EqualTo(UserKeyAlgorithm.Ed25519));
            Assert.That(key.PublicKey, Is.EqualTo(raw));
            Assert.That(key.SubjectPublicKeyInfo, Is.EqualTo(der));
        }
    }

    [Test]
    public void TryParse_Ed25519WithAShortKey_IsRefused()
    {
        var der = Convert.FromHexString("3029300506032b6570032000").Concat(new byte[31]).ToArray();

        Assert.That(UserPublicKey.TryParse(Convert.ToBase64String(der), out _, out _), Is.False);
    }

    [Test]
    public void TryParse_PrivateKeyPem_IsRefusedNamingTheLabel()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var ok = UserPublicKey.TryParse(ecdsa.ExportPkcs8PrivateKeyPem(), out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain("'PRIVATE KEY'"));
        }
    }

    [TestCase("not a key at all!")]
    [TestCase("")]
    [TestCase("AAAA")]
    [TestCase("MAA=")]
    [TestCase("-----BEGIN PUBLIC KEY-----\n%%%%\n-----END PUBLIC KEY-----\n")]
    [TestCase("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n")]
    public void TryParse_Garbage_FailsWithAnError(string text)
    {
        var ok = UserPublicKey.TryParse(text, out var key, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(key, Is.Null);
            Assert.That(error, Is.Not.Empty);
        }
    }

    [Test]
    public void TryParse_TruncatedP256Der_Fails()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = ecdsa.ExportSubjectPublicKeyInfo();

        var ok = UserPublicKey.TryParse(Convert.ToBase64String(der[..^1]), out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.False);
            Assert.That(error, Does.Contain("SubjectPublicKeyInfo"));
        }
    }
}
