using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.Credentials;

namespace NetServ.Geni.Tests.Credentials;

/// <summary>
/// Credentials between this implementation and xmlsec1, which every GENI tool signs and verifies
/// with: signed by xmlsec1 from the SFA signature template (sfa/trust/credential.py, as omni, gcf and
/// the clearinghouses use it) and checked here; written here and checked by xmlsec1.
/// </summary>
[NonParallelizable]
public sealed class XmlSec1InteropTests
{
    private const string Slice = "urn:publicid:IDN+netserv.local+slice+s1";

    // The template GENI tools fill in and hand to xmlsec1 --sign, with its empty X509SubjectName
    // and X509IssuerSerial, which .NET's SignedXml refuses.
    private const string SignatureTemplate = """
        <Signature xml:id="Sig_ref0" xmlns="http://www.w3.org/2000/09/xmldsig#">
          <SignedInfo>
            <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
            <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>
            <Reference URI="#ref0">
              <Transforms>
                <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" />
              </Transforms>
              <DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>
              <DigestValue></DigestValue>
            </Reference>
          </SignedInfo>
          <SignatureValue />
          <KeyInfo>
            <X509Data>
              <X509SubjectName/>
              <X509IssuerSerial/>
              <X509Certificate/>
            </X509Data>
            <KeyValue />
          </KeyInfo>
        </Signature>
        """;

    private CredentialTestPki pki = null!;
    private string directory = null!;

    [OneTimeSetUp]
    public void MakePki()
    {
        XmlSec1.Require();
        pki = new CredentialTestPki();
        directory = Directory.CreateTempSubdirectory("netserv-xmlsec1-").FullName;
        File.WriteAllText(Path.Combine(directory, "root.pem"), pki.Authority.Certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "stranger.pem"), pki.Stranger.Certificate.ExportCertificatePem());
    }

    [OneTimeTearDown]
    public void Clean()
    {
        pki?.Dispose();
        if (directory is not null)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A credential in the layout sfa's Credential.encode writes, with the template, signed by xmlsec1 with <paramref name="signer"/> and its <paramref name="issuers"/>.</summary>
    private string SignWithXmlSec1(X509Certificate2 signer, X509Certificate2[] issuers, string owner = "alice", string privilege = "*", string expires = "")
    {
        var ownerCertificate = owner == "alice" ? pki.Alice : pki.Bob;
        expires = expires.Length > 0 ? expires : pki.Time.GetUtcNow().AddDays(7).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        var unsigned = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <signed-credential xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.planet-lab.org/resources/sfa/credential.xsd" xsi:schemaLocation="http://www.planet-lab.org/resources/sfa/ext/policy/1 http://www.planet-lab.org/resources/sfa/ext/policy/1/policy.xsd"><credential xml:id="ref0"><type>privilege</type><serial>8</serial><owner_gid>{ownerCertificate.ExportCertificatePem()}
            </owner_gid><owner_urn>urn:publicid:IDN+netserv.local+user+{owner}</owner_urn><target_gid>{pki.Alice.ExportCertificatePem()}
            </target_gid><target_urn>{Slice}</target_urn><uuid></uuid><expires>{expires}</expires><privileges><privilege><name>{privilege}</name><can_delegate>true</can_delegate></privilege></privileges></credential><signatures>
            {SignatureTemplate}
            </signatures></signed-credential>
            """;
        var input = Path.Combine(directory, "unsigned.xml");
        File.WriteAllText(input, unsigned);
        var key = Path.Combine(directory, "signer-key.pem");
        using (var rsa = signer.GetRSAPrivateKey()!)
        {
            File.WriteAllText(key, rsa.ExportPkcs8PrivateKeyPem());
        }

        var certificates = new List<string>();
        foreach (var (certificate, i) in issuers.Prepend(signer).Select((c, i) => (c, i)))
        {
            certificates.Add(Path.Combine(directory, $"chain{i}.pem"));
            File.WriteAllText(certificates[^1], certificate.ExportCertificatePem());
        }

        var output = Path.Combine(directory, "signed.xml");
        var (exit, messages) = XmlSec1.Run("--sign", "--node-id", "Sig_ref0", "--privkey-pem", string.Join(",", certificates.Prepend(key)), "--output", output, input);
        Assert.That(exit, Is.Zero, messages);
        return File.ReadAllText(output);
    }

    private (int ExitCode, string Output) VerifyWithXmlSec1(string credential, string root = "root.pem")
    {
        var file = Path.Combine(directory, "to-verify.xml");
        File.WriteAllText(file, credential);
        // Without --enabled-key-data x509, xmlsec1 also takes the bare <KeyValue> the template has and
        // then trusts any signer: GENI tools check the signer's chain apart; here xmlsec1 is kept strict.
        return XmlSec1.Run("--verify", "--node-id", "Sig_ref0", "--enabled-key-data", "x509", "--trusted-pem", Path.Combine(directory, root), file);
    }

    [Test]
    public void Verify_SignedByXmlSec1WithTheGeniTemplate_IsAccepted()
    {
        var credential = SignWithXmlSec1(pki.Authority.Certificate, []);

        var check = pki.Verifier().Verify(credential, pki.Alice, Slice, "createsliver");

        Assert.That(check.IsAccepted, Is.True, check.Message);
        Assert.That(credential, Does.Contain("<X509IssuerSerial/>"), "xmlsec1 leaves the template's empty X509IssuerSerial");
    }

    [Test]
    public void Verify_SignedByXmlSec1WithAnIntermediateAuthority_IsAcceptedThroughTheChain()
    {
        using var sa = IntermediateAuthority(pki.Authority.Certificate);

        var credential = SignWithXmlSec1(sa, [pki.Authority.Certificate]);

        var check = pki.Verifier().Verify(credential, pki.Alice, Slice, "createsliver");
        Assert.That(check.IsAccepted, Is.True, check.Message);
    }

    [Test]
    public void Verify_SignedByXmlSec1PrivilegeChanged_IsInvalid()
    {
        var credential = SignWithXmlSec1(pki.Authority.Certificate, [], privilege: "info")
            .Replace("<name>info</name>", "<name>*</name>", StringComparison.Ordinal);

        Assert.That(VerifyWithXmlSec1(credential).ExitCode, Is.Not.Zero, "xmlsec1 catches it too");
        Assert.That(pki.Verifier().Verify(credential, pki.Alice, Slice).Refusal, Is.EqualTo(GeniCode.CREDENTIAL_INVALID));
    }

    [Test]
    public void Verify_SignedByXmlSec1WithAnUntrustedAuthority_IsSignerUntrusted()
    {
        var credential = SignWithXmlSec1(pki.Stranger.Certificate, []);

        Assert.That(pki.Verifier().Verify(credential, pki.Alice, Slice).Refusal, Is.EqualTo(GeniCode.CREDENTIAL_SIGNER_UNTRUSTED));
    }

    [Test]
    public void Verify_SignedByXmlSec1ForBob_IsMismatchForAlice()
    {
        var credential = SignWithXmlSec1(pki.Authority.Certificate, [], owner: "bob");

        Assert.That(pki.Verifier().Verify(credential, pki.Alice, Slice).Refusal, Is.EqualTo(GeniCode.CREDENTIAL_MISMATCH));
    }

    [Test]
    public void Verify_SignedByXmlSec1Expired_IsExpired()
    {
        var credential = SignWithXmlSec1(pki.Authority.Certificate, [], expires: pki.Time.GetUtcNow().AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

        Assert.That(pki.Verifier().Verify(credential, pki.Alice, Slice).Refusal, Is.EqualTo(GeniCode.CREDENTIAL_EXPIRED));
    }

    [TestCase(CredentialSignatureAlgorithm.RsaSha1)]
    [TestCase(CredentialSignatureAlgorithm.RsaSha256)]
    public void Sign_SliceCredential_VerifiesWithXmlSec1(CredentialSignatureAlgorithm algorithm)
    {
        var credential = new CredentialSigner(pki.Authority.Certificate, algorithm: algorithm).Sign(pki.Content(Slice));

        var (exit, output) = VerifyWithXmlSec1(credential);

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.StartWith("OK"));
    }

    [Test]
    public void Sign_WithIntermediateAuthority_XmlSec1FollowsTheChainInX509Data()
    {
        using var sa = IntermediateAuthority(pki.Authority.Certificate);
        var credential = new CredentialSigner(sa, [pki.Authority.Certificate]).Sign(pki.Content(Slice));

        var (exit, output) = VerifyWithXmlSec1(credential);

        Assert.That(exit, Is.Zero, output);
        Assert.That(pki.Verifier().Verify(credential, pki.Alice, Slice).IsAccepted, Is.True);
    }

    [Test]
    public void Sign_LocalAuthoritySliceCredential_XmlSec1RefusesItWithAnotherRoot()
    {
        var credential = pki.Authority.IssueSliceCredential(pki.Alice, "s1");

        Assert.That(VerifyWithXmlSec1(credential).ExitCode, Is.Zero);
        Assert.That(VerifyWithXmlSec1(credential, "stranger.pem").ExitCode, Is.Not.Zero);
    }

    [Test]
    public void Sign_ExpiryChangedAfterwards_XmlSec1AndVerifierBothRefuse()
    {
        var credential = pki.Authority.IssueSliceCredential(pki.Alice, "s1");
        var tampered = System.Text.RegularExpressions.Regex.Replace(credential, "<expires>[^<]*</expires>", "<expires>2099-01-01T00:00:00Z</expires>");

        Assert.That(VerifyWithXmlSec1(tampered).ExitCode, Is.Not.Zero);
        Assert.That(pki.Verifier().Verify(tampered, pki.Alice, Slice).Refusal, Is.EqualTo(GeniCode.CREDENTIAL_INVALID));
    }

    /// <summary>A slice authority under a root, as a clearinghouse's SA is under its CA.</summary>
    private X509Certificate2 IntermediateAuthority(X509Certificate2 root)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=netserv.local sa", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("urn:publicid:IDN+netserv.local+authority+sa"));
        request.CertificateExtensions.Add(san.Build());
        var now = pki.Time.GetUtcNow();
        using var certificate = request.Create(root, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(8));
        return certificate.CopyWithPrivateKey(key);
    }
}
