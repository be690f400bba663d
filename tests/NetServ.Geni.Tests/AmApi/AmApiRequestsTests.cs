using System.Xml.Linq;
using NetServ.Geni.AmApi;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.AmApi;

/// <summary>
/// Each call written by <see cref="XmlRpcWriter"/> compared, element by element, with the document the
/// AM API v3 method signatures describe (http://groups.geni.net/geni/wiki/GAPI_AM_API_V3), written by hand here.
/// </summary>
public sealed class AmApiRequestsTests
{
    private const string SliceUrn = "urn:publicid:IDN+emulab.net:netserv+slice+exp1";
    private const string SliverUrn = "urn:publicid:IDN+utah.cloudlab.us+sliver+1001";
    private const string SignedCredential = "<signed-credential><credential xml:id=\"ref0\"/></signed-credential>";

    private static readonly AmCredential[] Credentials = [AmCredential.Sfa(SignedCredential)];

    // The credentials argument: an array of {geni_type, geni_version, geni_value}.
    private const string CredentialsParam = """
        <param><value><array><data><value><struct>
          <member><name>geni_type</name><value><string>geni_sfa</string></value></member>
          <member><name>geni_version</name><value><string>3</string></value></member>
          <member><name>geni_value</name><value><string>&lt;signed-credential&gt;&lt;credential xml:id="ref0"/&gt;&lt;/signed-credential&gt;</string></value></member>
        </struct></value></data></array></value></param>
        """;

    private const string SliverUrnsParam = $"<param><value><array><data><value><string>{SliverUrn}</string></value></data></array></value></param>";

    private const string RSpecVersionMember = """
        <member><name>geni_rspec_version</name><value><struct>
          <member><name>type</name><value><string>GENI</string></value></member>
          <member><name>version</name><value><string>3</string></value></member>
        </struct></value></member>
        """;

    private const string EmptyOptions = "<param><value><struct/></value></param>";

    private const string BestEffortOptions = "<param><value><struct><member><name>geni_best_effort</name><value><boolean>1</boolean></value></member></struct></value></param>";

    [Test]
    public void GetVersion_WritesAnEmptyOptionsStruct()
    {
        AssertWrites(AmApiRequests.GetVersion(), $"<methodCall><methodName>GetVersion</methodName><params>{EmptyOptions}</params></methodCall>");
    }

    [Test]
    public void ListResources_AvailableCompressed_WritesCredentialsAndOptions()
    {
        AssertWrites(AmApiRequests.ListResources(Credentials, availableOnly: true, compressed: true), $"""
            <methodCall><methodName>ListResources</methodName><params>
              {CredentialsParam}
              <param><value><struct>
                {RSpecVersionMember}
                <member><name>geni_available</name><value><boolean>1</boolean></value></member>
                <member><name>geni_compressed</name><value><boolean>1</boolean></value></member>
              </struct></value></param>
            </params></methodCall>
            """);
    }

    [Test]
    public void Describe_Slice_WritesUrnsCredentialsAndRSpecVersion()
    {
        AssertWrites(AmApiRequests.Describe([SliceUrn], Credentials, compressed: false), $"""
            <methodCall><methodName>Describe</methodName><params>
              <param><value><array><data><value><string>{SliceUrn}</string></value></data></array></value></param>
              {CredentialsParam}
              <param><value><struct>{RSpecVersionMember}</struct></value></param>
            </params></methodCall>
            """);
    }

    [Test]
    public void Allocate_WithEndTime_WritesSliceUrnRSpecAndRfc3339EndTime()
    {
        var call = AmApiRequests.Allocate(SliceUrn, Credentials, "<rspec type=\"request\"/>", new DateTimeOffset(2026, 12, 6, 15, 0, 0, TimeSpan.FromHours(1)));

        AssertWrites(call, $"""
            <methodCall><methodName>Allocate</methodName><params>
              <param><value><string>{SliceUrn}</string></value></param>
              {CredentialsParam}
              <param><value><string>&lt;rspec type="request"/&gt;</string></value></param>
              <param><value><struct><member><name>geni_end_time</name><value><string>2026-12-06T14:00:00Z</string></value></member></struct></value></param>
            </params></methodCall>
            """);
    }

    [Test]
    public void Renew_BestEffort_WritesExpirationAsRfc3339String()
    {
        var call = AmApiRequests.Renew([SliverUrn], Credentials, new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), bestEffort: true);

        AssertWrites(call, $"""
            <methodCall><methodName>Renew</methodName><params>
              {SliverUrnsParam}
              {CredentialsParam}
              <param><value><string>2026-12-07T00:00:00Z</string></value></param>
              {BestEffortOptions}
            </params></methodCall>
            """);
    }

    [Test]
    public void Provision_WithUsers_WritesGeniUsersWithTheirKeys()
    {
        var users = new[] { new AmUser("urn:publicid:IDN+emulab.net+user+alice", ["ssh-ed25519 AAAAC3Nza alice@laptop", "ssh-rsa AAAAB3Nz alice@desk"]) };

        AssertWrites(AmApiRequests.Provision([SliverUrn], Credentials, users, bestEffort: false, endTime: null), $"""
            <methodCall><methodName>Provision</methodName><params>
              {SliverUrnsParam}
              {CredentialsParam}
              <param><value><struct>
                {RSpecVersionMember}
                <member><name>geni_users</name><value><array><data><value><struct>
                  <member><name>urn</name><value><string>urn:publicid:IDN+emulab.net+user+alice</string></value></member>
                  <member><name>keys</name><value><array><data>
                    <value><string>ssh-ed25519 AAAAC3Nza alice@laptop</string></value>
                    <value><string>ssh-rsa AAAAB3Nz alice@desk</string></value>
                  </data></array></value></member>
                </struct></value></data></array></value></member>
              </struct></value></param>
            </params></methodCall>
            """);
    }

    [Test]
    public void Status_WritesUrnsCredentialsAndEmptyOptions()
    {
        AssertWrites(AmApiRequests.Status([SliverUrn], Credentials), $"""
            <methodCall><methodName>Status</methodName><params>{SliverUrnsParam}{CredentialsParam}{EmptyOptions}</params></methodCall>
            """);
    }

    [TestCase(OperationalAction.Start, "geni_start")]
    [TestCase(OperationalAction.Restart, "geni_restart")]
    [TestCase(OperationalAction.Stop, "geni_stop")]
    public void PerformOperationalAction_WritesTheActionName(OperationalAction action, string name)
    {
        AssertWrites(AmApiRequests.PerformOperationalAction([SliverUrn], Credentials, action, bestEffort: true), $"""
            <methodCall><methodName>PerformOperationalAction</methodName><params>
              {SliverUrnsParam}{CredentialsParam}<param><value><string>{name}</string></value></param>{BestEffortOptions}
            </params></methodCall>
            """);
    }

    [Test]
    public void Delete_BestEffort_WritesUrnsCredentialsAndBestEffort()
    {
        AssertWrites(AmApiRequests.Delete([SliverUrn], Credentials, bestEffort: true), $"""
            <methodCall><methodName>Delete</methodName><params>{SliverUrnsParam}{CredentialsParam}{BestEffortOptions}</params></methodCall>
            """);
    }

    [Test]
    public void Shutdown_WritesSliceUrnAsString()
    {
        AssertWrites(AmApiRequests.Shutdown(SliceUrn, Credentials), $"""
            <methodCall><methodName>Shutdown</methodName><params>
              <param><value><string>{SliceUrn}</string></value></param>{CredentialsParam}{EmptyOptions}
            </params></methodCall>
            """);
    }

    [Test]
    public void Status_NoUrns_Throws()
    {
        Assert.Throws<ArgumentException>(() => AmApiRequests.Status([], Credentials));
    }

    private static void AssertWrites(XmlRpcMethodCall call, string expected)
    {
        var written = Normalize(XDocument.Parse(System.Text.Encoding.UTF8.GetString(XmlRpcWriter.WriteMethodCall(call))));
        var wanted = Normalize(XDocument.Parse(expected));

        Assert.That(XNode.DeepEquals(written, wanted), Is.True, $"written:{Environment.NewLine}{written}{Environment.NewLine}expected:{Environment.NewLine}{wanted}");
    }

    // Indentation of the hand-written documents is not content.
    private static XElement Normalize(XDocument document)
    {
        var root = new XElement(document.Root!);
        foreach (var text in root.DescendantNodes().OfType<XText>().Where(t => string.IsNullOrWhiteSpace(t.Value)).ToList())
        {
            text.Remove();
        }

        // <struct></struct> and <struct/> are the same element.
        foreach (var empty in root.Descendants().Where(e => !e.Nodes().Any()))
        {
            empty.RemoveNodes();
        }

        return root;
    }
}
