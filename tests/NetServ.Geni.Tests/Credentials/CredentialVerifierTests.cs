using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using NetServ.Geni.Credentials;

namespace NetServ.Geni.Tests.Credentials;

public sealed class CredentialVerifierTests
{
    private const string Slice = "urn:publicid:IDN+netserv.local+slice+s1";
    private CredentialTestPki pki = null!;

    [OneTimeSetUp]
    public void MakePki() => pki = new CredentialTestPki();

    [OneTimeTearDown]
    public void DisposePki() => pki.Dispose();

    private string SliceCredential(string privilege = "*", string slice = "s1", CredentialSignatureAlgorithm algorithm = CredentialSignatureAlgorithm.RsaSha1, X509Certificate2? owner = null)
        => new CredentialSigner(pki.Authority.Certificate, algorithm: algorithm)
            .Sign(pki.Content(pki.Authority.SliceUrn(slice), owner, privilege) with { Expires = pki.Time.GetUtcNow().AddDays(7) });

    private static void AssertRefused(CredentialCheck check, GeniCode refusal, string messagePart)
    {
        Assert.That(check.Refusal, Is.EqualTo(refusal), check.Message);
        Assert.That(check.Message, Does.Contain(messagePart));
    }

    [TestCase(CredentialSignatureAlgorithm.RsaSha1)]
    [TestCase(CredentialSignatureAlgorithm.RsaSha256)]
    public void Verify_SignedSliceCredentialOfTheCaller_IsAccepted(CredentialSignatureAlgorithm algorithm)
    {
        var check = pki.Verifier().Verify(SliceCredential(algorithm: algorithm), pki.Alice, Slice, "createsliver");

        Assert.That(check.IsAccepted, Is.True, check.Message);
        Assert.That(check.Credential!.OwnerUrn, Is.EqualTo("urn:publicid:IDN+netserv.local+user+alice"));
    }

    [Test]
    public void Verify_PrivilegeChangedAfterSigning_IsInvalid()
    {
        var tampered = SliceCredential("info").Replace("<name>info</name>", "<name>*</name>", StringComparison.Ordinal);

        AssertRefused(pki.Verifier().Verify(tampered, pki.Alice, Slice, "createsliver"), GeniCode.CREDENTIAL_INVALID, "digest does not match");
    }

    [Test]
    public void Verify_ExpiryChangedAfterSigning_IsInvalid()
    {
        var tampered = Regex.Replace(SliceCredential(), "<expires>[^<]*</expires>", "<expires>2099-01-01T00:00:00Z</expires>");

        AssertRefused(pki.Verifier().Verify(tampered, pki.Alice, Slice), GeniCode.CREDENTIAL_INVALID, "digest does not match");
    }

    [Test]
    public void Verify_SignatureOfAnotherCredential_IsInvalid()
    {
        static string Signatures(string xml) => Regex.Match(xml, "<signatures>.*</signatures>", RegexOptions.Singleline).Value;
        var credential = SliceCredential();
        var swapped = credential.Replace(Signatures(credential), Signatures(SliceCredential(slice: "s2")), StringComparison.Ordinal);

        AssertRefused(pki.Verifier().Verify(swapped, pki.Alice, Slice), GeniCode.CREDENTIAL_INVALID, "digest does not match");
    }

    [Test]
    public void Verify_SignedInfoChanged_SignatureValueDoesNotVerify()
    {
        var credential = SliceCredential();
        var tampered = credential.Replace("<Reference URI=\"#ref0\">", "<Reference URI=\"#ref0\" Id=\"x\">", StringComparison.Ordinal);

        AssertRefused(pki.Verifier().Verify(tampered, pki.Alice, Slice), GeniCode.CREDENTIAL_INVALID, "signature value does not verify");
    }

    [Test]
    public void Verify_SignerNotUnderTheTrustedRoot_IsSignerUntrusted()
    {
        var credential = new CredentialSigner(pki.Stranger.Certificate).Sign(pki.Content(Slice));

        AssertRefused(pki.Verifier().Verify(credential, pki.Alice, Slice), GeniCode.CREDENTIAL_SIGNER_UNTRUSTED, "does not trust");
    }

    [Test]
    public void Verify_SignerNotAnAuthorityOverTheTarget_IsSignerUntrusted()
    {
        var credential = new CredentialSigner(pki.Authority.Certificate).Sign(pki.Content("urn:publicid:IDN+emulab.net:proj+slice+s1"));

        AssertRefused(pki.Verifier().Verify(credential, pki.Alice), GeniCode.CREDENTIAL_SIGNER_UNTRUSTED, "not an authority over urn:publicid:IDN+emulab.net:proj+slice+s1");
    }

    [Test]
    public void Verify_AnotherUsersCredential_IsMismatch()
    {
        var bobs = SliceCredential(owner: pki.Bob);

        AssertRefused(pki.Verifier().Verify(bobs, pki.Alice, Slice), GeniCode.CREDENTIAL_MISMATCH, "urn:publicid:IDN+netserv.local+user+bob's");
    }

    [Test]
    public void Verify_AfterExpiry_IsExpired()
    {
        var credential = SliceCredential();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(pki.Time.GetUtcNow().AddDays(8));

        AssertRefused(new CredentialVerifier(pki.Roots, time).Verify(credential, pki.Alice, Slice), GeniCode.CREDENTIAL_EXPIRED, "expired at");
    }

    [Test]
    public void Verify_PrivilegeNotGranted_IsForbidden()
    {
        AssertRefused(pki.Verifier().Verify(SliceCredential("info"), pki.Alice, Slice, "createsliver"), GeniCode.FORBIDDEN, "needs createsliver");
    }

    [Test]
    public void Verify_CredentialForAnotherSlice_IsMismatch()
    {
        AssertRefused(pki.Verifier().Verify(SliceCredential(slice: "s2"), pki.Alice, Slice), GeniCode.CREDENTIAL_MISMATCH, "not " + Slice);
    }

    [Test]
    public void Verify_SecondElementWithTheSignedId_IsInvalid()
    {
        // Signature wrapping: the signed credential moved aside, a forged one read in its place.
        var credential = SliceCredential("info");
        var forged = credential.Replace("<signatures>", "<extra><credential xml:id=\"ref0\"><type>privilege</type></credential></extra><signatures>", StringComparison.Ordinal);

        AssertRefused(pki.Verifier().Verify(forged, pki.Alice, Slice), GeniCode.CREDENTIAL_INVALID, "2 elements have xml:id \"ref0\"");
    }

    [Test]
    public void Verify_SignatureRemoved_IsInvalidAsNotSigned()
    {
        var unsigned = Regex.Replace(SliceCredential(), "<signatures>.*</signatures>", "<signatures/>", RegexOptions.Singleline);

        AssertRefused(pki.Verifier().Verify(unsigned, pki.Alice, Slice), GeniCode.CREDENTIAL_INVALID, "not signed");
    }

    [Test]
    public void Verify_ExclusiveCanonicalization_IsInvalidAsNotTaken()
    {
        var other = SliceCredential().Replace("CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"", "CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"", StringComparison.Ordinal);

        AssertRefused(pki.Verifier().Verify(other, pki.Alice, Slice), GeniCode.CREDENTIAL_INVALID, "C14N 1.0");
    }

    [Test]
    public void Verify_MoreCertificatesThanTheLimit_IsInvalid()
    {
        var credential = SliceCredential();

        var check = new CredentialVerifier(pki.Roots, pki.Time, new CredentialLimits { MaxCertificates = 0 }).Verify(credential, pki.Alice, Slice);

        AssertRefused(check, GeniCode.CREDENTIAL_INVALID, "more than 0 certificates");
    }

    [Test]
    public void Verify_NotXml_IsInvalid()
    {
        AssertRefused(pki.Verifier().Verify("<signed-credential>", pki.Alice), GeniCode.CREDENTIAL_INVALID, "not a GENI credential");
    }

    [Test]
    public void VerifyAny_UserAndSliceCredential_AcceptsTheSliceCredential()
    {
        var user = pki.Authority.IssueUserCredential(pki.Alice);

        var check = pki.Verifier().VerifyAny([user, SliceCredential()], pki.Alice, Slice, "createsliver");

        Assert.That(check.IsAccepted, Is.True, check.Message);
        Assert.That(check.Credential!.TargetUrn, Is.EqualTo(Slice));
    }

    [Test]
    public void VerifyAny_UserCredentialAndExpiredSliceCredential_SaysExpired()
    {
        var user = pki.Authority.IssueUserCredential(pki.Alice);
        var slice = pki.Authority.IssueSliceCredential(pki.Alice, "s1", pki.Time.GetUtcNow().AddHours(1));
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(pki.Time.GetUtcNow().AddHours(2));

        var check = new CredentialVerifier(pki.Roots, time).VerifyAny([user, slice], pki.Alice, Slice, "createsliver");

        Assert.That(check.Refusal, Is.EqualTo(GeniCode.CREDENTIAL_EXPIRED), check.Message);
    }

    [Test]
    public void VerifyAny_NoCredential_IsForbidden()
    {
        Assert.That(pki.Verifier().VerifyAny([], pki.Alice).Refusal, Is.EqualTo(GeniCode.FORBIDDEN));
    }
}
