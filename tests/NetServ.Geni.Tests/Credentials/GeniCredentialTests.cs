using NetServ.Geni.Credentials;

namespace NetServ.Geni.Tests.Credentials;

/// <summary>Reading credentials: the GENI wiki's sample (GeniApiCredentials) and the forms other implementations write.</summary>
public sealed class GeniCredentialTests
{
    private static readonly string Certificate = File.ReadAllText(Path.Combine(TestContext.CurrentContext.TestDirectory, "Identity", "Fixtures", "cert.pem"));

    /// <summary>The sample credential of the GENI wiki's credential page, its "certificate here" placeholders filled.</summary>
    private static string WikiSample(string gid) => $"""
        <?xml version="1.0"?>
        <signed-credential>
                <credential xml:id="ref0">
                        <type>privilege</type>
                        <serial>8</serial>
                        <owner_gid>{gid}</owner_gid>
                        <owner_urn>urn:publicid:IDN+plc:gpo:site2+user+jkarlin</owner_urn>
                        <target_gid>{gid}</target_gid>
                        <target_urn>urn:publicid:IDN+plc:gpo:site2+user+jkarlin</target_urn>
                        <uuid/>
                        <expires>2012-07-14T19:52:08Z</expires>
                        <privileges>
                                <privilege>
                                        <name>refresh</name>
                                        <can_delegate>true</can_delegate>
                                </privilege>
                        </privileges>
                </credential>
                <signatures>
                </signatures>
        </signed-credential>
        """;

    private static string Minimal(string fields) => $"""
        <signed-credential><credential xml:id="ref0"><type>privilege</type><owner_urn>urn:publicid:IDN+emulab.net+user+alice</owner_urn><target_urn>urn:publicid:IDN+emulab.net+slice+s1</target_urn>{fields}</credential></signed-credential>
        """;

    [Test]
    public void Parse_GeniWikiSample_ReadsEveryField()
    {
        var credential = GeniCredential.Parse(WikiSample(Certificate));

        Assert.That(credential.Id, Is.EqualTo("ref0"));
        Assert.That(credential.Serial, Is.EqualTo("8"));
        Assert.That(credential.OwnerUrn, Is.EqualTo("urn:publicid:IDN+plc:gpo:site2+user+jkarlin"));
        Assert.That(credential.TargetUrn, Is.EqualTo("urn:publicid:IDN+plc:gpo:site2+user+jkarlin"));
        Assert.That(credential.Uuid, Is.Null);
        Assert.That(credential.Expires, Is.EqualTo(new DateTimeOffset(2012, 7, 14, 19, 52, 8, TimeSpan.Zero)));
        Assert.That(credential.Privileges, Is.EqualTo(new[] { new CredentialPrivilege("refresh", true) }));
        Assert.That(credential.OwnerGid, Is.Not.Null);
        Assert.That(credential.Grants("Refresh"), Is.True);
        Assert.That(credential.Grants("createsliver"), Is.False);
    }

    [Test]
    public void Parse_ProtoGeniBareBase64Gid_ReadsTheCertificate()
    {
        var base64 = string.Concat(Certificate.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));

        var credential = GeniCredential.Parse(WikiSample(base64));

        Assert.That(credential.TargetGid, Is.EqualTo(GeniCredential.Parse(WikiSample(Certificate)).TargetGid));
    }

    [Test]
    public void Parse_NoOwnerUrn_TakesTheUrnOfTheOwnerGid()
    {
        var xml = WikiSample(Certificate).Replace("<owner_urn>urn:publicid:IDN+plc:gpo:site2+user+jkarlin</owner_urn>", "", StringComparison.Ordinal);

        Assert.That(GeniCredential.Parse(xml).OwnerUrn, Is.EqualTo("urn:publicid:IDN+emulab.net+user+alice"));
    }

    [TestCase("2013-03-01T21:48:04", "2013-03-01T21:48:04Z")]
    [TestCase("2013-03-01T21:48:04.250000", "2013-03-01T21:48:04.25Z")]
    [TestCase("2013-03-01T23:48:04+02:00", "2013-03-01T21:48:04Z")]
    public void Parse_ExpiresAsImplementationsWriteIt_IsUtc(string expires, string utc)
    {
        var credential = GeniCredential.Parse(Minimal($"<expires>{expires}</expires><privileges/>"));

        Assert.That(credential.Expires, Is.EqualTo(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("1", true)]
    [TestCase("0", false)]
    [TestCase("false", false)]
    public void Parse_CanDelegateAsXsBoolean_IsRead(string value, bool expected)
    {
        var credential = GeniCredential.Parse(Minimal($"<expires>2030-01-01T00:00:00Z</expires><privileges><privilege><name>*</name><can_delegate>{value}</can_delegate></privilege></privileges>"));

        Assert.That(credential.Privileges[0].CanDelegate, Is.EqualTo(expected));
    }

    [TestCase("<expires>tomorrow</expires><privileges/>", CredentialFormatError.InvalidValue)]
    [TestCase("<expires>2030-01-01T00:00:00Z</expires><privileges><privilege><name>*</name><can_delegate>yes</can_delegate></privilege></privileges>", CredentialFormatError.InvalidValue)]
    [TestCase("<privileges/>", CredentialFormatError.UnexpectedContent)]
    [TestCase("<expires>2030-01-01T00:00:00Z</expires>", CredentialFormatError.UnexpectedContent)]
    [TestCase("<expires>2030-01-01T00:00:00Z</expires><expires>2031-01-01T00:00:00Z</expires><privileges/>", CredentialFormatError.UnexpectedContent)]
    [TestCase("<expires>2030-01-01T00:00:00Z</expires><privileges/><parent/>", CredentialFormatError.Unsupported)]
    [TestCase("<expires>2030-01-01T00:00:00Z</expires><privileges/><owner_gid>certificate here</owner_gid>", CredentialFormatError.InvalidValue)]
    public void Parse_MalformedField_SaysWhat(string fields, CredentialFormatError error)
    {
        var e = Assert.Throws<CredentialFormatException>(() => GeniCredential.Parse(Minimal(fields)))!;

        Assert.That(e.Error, Is.EqualTo(error), e.Message);
    }

    [Test]
    public void Parse_AbacCredential_IsUnsupported()
    {
        var xml = Minimal("<expires>2030-01-01T00:00:00Z</expires><privileges/>").Replace("<type>privilege</type>", "<type>abac</type>", StringComparison.Ordinal);

        var e = Assert.Throws<CredentialFormatException>(() => GeniCredential.Parse(xml))!;

        Assert.That(e.Error, Is.EqualTo(CredentialFormatError.Unsupported));
        Assert.That(e.Message, Does.Contain("abac"));
    }

    [Test]
    public void Parse_Dtd_IsRefusedBeforeItsEntitiesAreUsed()
    {
        var xml = "<!DOCTYPE signed-credential [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + Minimal("<expires>&x;</expires><privileges/>");

        var e = Assert.Throws<CredentialFormatException>(() => GeniCredential.Parse(xml))!;

        Assert.That(e.Error, Is.EqualTo(CredentialFormatError.NotWellFormed));
    }

    [Test]
    public void Parse_DeeperThanTheLimit_IsTooDeep()
    {
        var xml = Minimal("<expires>2030-01-01T00:00:00Z</expires><privileges/>" + string.Concat(Enumerable.Repeat("<x>", 40)) + string.Concat(Enumerable.Repeat("</x>", 40)));

        Assert.That(Assert.Throws<CredentialFormatException>(() => GeniCredential.Parse(xml))!.Error, Is.EqualTo(CredentialFormatError.TooDeep));
    }

    [Test]
    public void Parse_LongerThanTheLimit_IsTooLarge()
    {
        var xml = Minimal("<expires>2030-01-01T00:00:00Z</expires><privileges/>");

        var e = Assert.Throws<CredentialFormatException>(() => GeniCredential.Parse(xml, new CredentialLimits { MaxDocumentLength = 100 }))!;

        Assert.That(e.Error, Is.EqualTo(CredentialFormatError.TooLarge));
    }

    [Test]
    public void Parse_RootIsNotSignedCredential_SaysWhatItIs()
    {
        var e = Assert.Throws<CredentialFormatException>(() => GeniCredential.Parse("<rspec/>"))!;

        Assert.That(e.Message, Does.Contain("<rspec>"));
    }
}
