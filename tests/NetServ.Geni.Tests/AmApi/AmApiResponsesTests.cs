using NetServ.Geni.AmApi;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.AmApi;

/// <summary>
/// Answers written as the AM API v3 documentation shows them (the return struct of
/// http://groups.geni.net/geni/wiki/GAPI_AM_API_V3/CommonConcepts and each method's value), in the
/// XML-RPC that ProtoGENI and gcf send: untyped string values, ints as <c>&lt;i4&gt;</c>, indentation.
/// </summary>
public sealed class AmApiResponsesTests
{
    // GetVersion as CloudLab answers it: geni_api both beside code and in value.
    private const string GetVersionAnswer = """
        <?xml version="1.0"?>
        <methodResponse>
        <params><param><value><struct>
          <member><name>code</name><value><struct>
            <member><name>geni_code</name><value><i4>0</i4></value></member>
            <member><name>am_type</name><value><string>protogeni</string></value></member>
          </struct></value></member>
          <member><name>geni_api</name><value><i4>3</i4></value></member>
          <member><name>output</name><value><string></string></value></member>
          <member><name>value</name><value><struct>
            <member><name>geni_api</name><value><i4>3</i4></value></member>
            <member><name>geni_api_versions</name><value><struct>
              <member><name>2</name><value><string>https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/2.0</string></value></member>
              <member><name>3</name><value><string>https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0</string></value></member>
            </struct></value></member>
            <member><name>geni_request_rspec_versions</name><value><array><data>
              <value><struct>
                <member><name>type</name><value>GENI</value></member>
                <member><name>version</name><value>3</value></member>
                <member><name>schema</name><value>http://www.geni.net/resources/rspec/3/request.xsd</value></member>
                <member><name>namespace</name><value>http://www.geni.net/resources/rspec/3</value></member>
                <member><name>extensions</name><value><array><data>
                  <value>http://www.protogeni.net/resources/rspec/ext/emulab/1</value>
                </data></array></value></member>
              </struct></value>
            </data></array></value></member>
            <member><name>geni_ad_rspec_versions</name><value><array><data>
              <value><struct>
                <member><name>type</name><value>GENI</value></member>
                <member><name>version</name><value>3</value></member>
              </struct></value>
            </data></array></value></member>
            <member><name>geni_credential_types</name><value><array><data>
              <value><struct>
                <member><name>geni_type</name><value>geni_sfa</value></member>
                <member><name>geni_version</name><value><i4>3</i4></value></member>
              </struct></value>
            </data></array></value></member>
            <member><name>geni_single_allocation</name><value><i4>1</i4></value></member>
            <member><name>geni_allocate</name><value>geni_many</value></member>
          </struct></value></member>
        </struct></value></param></params>
        </methodResponse>
        """;

    // Allocate's value: the manifest and the allocated slivers (no operational status yet).
    private const string AllocateAnswer = """
        <methodResponse><params><param><value><struct>
          <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
          <member><name>value</name><value><struct>
            <member><name>geni_rspec</name><value>&lt;rspec xmlns="http://www.geni.net/resources/rspec/3" type="manifest"&gt;&lt;node client_id="node0" sliver_id="urn:publicid:IDN+utah.cloudlab.us+sliver+1001"&gt;&lt;services&gt;&lt;login authentication="ssh-keys" hostname="amd101.utah.cloudlab.us" port="22" username="alice"/&gt;&lt;/services&gt;&lt;/node&gt;&lt;/rspec&gt;</value></member>
            <member><name>geni_slivers</name><value><array><data>
              <value><struct>
                <member><name>geni_sliver_urn</name><value>urn:publicid:IDN+utah.cloudlab.us+sliver+1001</value></member>
                <member><name>geni_expires</name><value>2026-12-06T14:00:00Z</value></member>
                <member><name>geni_allocation_status</name><value>geni_allocated</value></member>
              </struct></value>
            </data></array></value></member>
          </struct></value></member>
          <member><name>output</name><value></value></member>
        </struct></value></param></params></methodResponse>
        """;

    // Status' value: the slice URN and each sliver with both states, one failed.
    private const string StatusAnswer = """
        <methodResponse><params><param><value><struct>
          <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
          <member><name>value</name><value><struct>
            <member><name>geni_urn</name><value>urn:publicid:IDN+emulab.net:netserv+slice+exp1</value></member>
            <member><name>geni_slivers</name><value><array><data>
              <value><struct>
                <member><name>geni_sliver_urn</name><value>urn:publicid:IDN+utah.cloudlab.us+sliver+1001</value></member>
                <member><name>geni_allocation_status</name><value>geni_provisioned</value></member>
                <member><name>geni_operational_status</name><value>geni_ready</value></member>
                <member><name>geni_expires</name><value>2026-12-06T14:00:00+00:00</value></member>
                <member><name>geni_error</name><value></value></member>
              </struct></value>
              <value><struct>
                <member><name>geni_sliver_urn</name><value>urn:publicid:IDN+utah.cloudlab.us+sliver+1002</value></member>
                <member><name>geni_allocation_status</name><value>geni_provisioned</value></member>
                <member><name>geni_operational_status</name><value>geni_failed</value></member>
                <member><name>geni_expires</name><value><dateTime.iso8601>20261206T14:00:00</dateTime.iso8601></value></member>
                <member><name>geni_error</name><value>node failed to boot: image load timed out</value></member>
              </struct></value>
            </data></array></value></member>
          </struct></value></member>
          <member><name>output</name><value></value></member>
        </struct></value></param></params></methodResponse>
        """;

    [Test]
    public void ReadVersion_CloudLabAnswer_ReadsEveryField()
    {
        var version = AmApiResponses.ReadVersion(Return(GetVersionAnswer));

        Assert.That(version.Api, Is.EqualTo(3));
        Assert.That(version.ApiVersions["3"], Is.EqualTo("https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0"));
        Assert.That(version.RequestRSpecVersions.Single(), Is.EqualTo(new RSpecVersionInfo("GENI", "3", "http://www.geni.net/resources/rspec/3/request.xsd", "http://www.geni.net/resources/rspec/3", version.RequestRSpecVersions[0].Extensions)));
        Assert.That(version.RequestRSpecVersions[0].Extensions, Is.EqualTo(new[] { "http://www.protogeni.net/resources/rspec/ext/emulab/1" }));
        Assert.That(version.AdRSpecVersions.Single().Schema, Is.Null);
        Assert.That(version.CredentialTypes, Is.EqualTo(new[] { new AmCredentialType("geni_sfa", "3") }));
        Assert.That(version.SingleAllocation, Is.True);
        Assert.That(version.Allocate, Is.EqualTo(AllocateMode.GeniMany));
        Assert.That(version.AcceptsRequests(new RSpecVersion("geni", "3")), Is.True);
    }

    [Test]
    public void ReadVersion_GeniApiOnlyAtTopLevel_ReadsIt()
    {
        var answer = Return("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
              <member><name>geni_api</name><value><int>3</int></value></member>
              <member><name>value</name><value><struct/></value></member>
            </struct></value></param></params></methodResponse>
            """);

        var version = AmApiResponses.ReadVersion(answer);

        Assert.That((version.Api, version.SingleAllocation, version.Allocate), Is.EqualTo((3, false, AllocateMode.GeniSingle)));
    }

    [Test]
    public void ReadReturn_ErrorAnswer_ReadsCodeAmCodeAndOutput()
    {
        var answer = Return("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct>
                <member><name>geni_code</name><value><i4>7</i4></value></member>
                <member><name>am_type</name><value>protogeni</value></member>
                <member><name>am_code</name><value><i4>24</i4></value></member>
              </struct></value></member>
              <member><name>value</name><value><i4>0</i4></value></member>
              <member><name>output</name><value>Not enough free nodes of type d430</value></member>
            </struct></value></param></params></methodResponse>
            """);

        Assert.That((answer.Code, answer.AmType, answer.AmCode, answer.Output), Is.EqualTo((GeniCode.REFUSED, "protogeni", 24, "Not enough free nodes of type d430")));
    }

    [Test]
    public void ReadManifestResult_AllocateAnswer_ReadsManifestAndSlivers()
    {
        var result = AmApiResponses.ReadManifestResult(Return(AllocateAnswer));

        var sliver = result.Slivers.Single();
        Assert.That(sliver, Is.EqualTo(new AmSliver("urn:publicid:IDN+utah.cloudlab.us+sliver+1001", "geni_allocated", null, new DateTimeOffset(2026, 12, 6, 14, 0, 0, TimeSpan.Zero), null)));
        Assert.That(sliver.Allocation, Is.EqualTo(AllocationState.Allocated));
        Assert.That(result.TryReadManifest(out var manifest, out var error), Is.True, error?.ToString());
        Assert.That(manifest!.Nodes.Single().Logins.Single().ToString(), Is.EqualTo("alice@amd101.utah.cloudlab.us:22"));
    }

    [Test]
    public void ReadStatus_Answer_ReadsBothStatesExpiryAndError()
    {
        var status = AmApiResponses.ReadStatus(Return(StatusAnswer));

        Assert.That(status.SliceUrn, Is.EqualTo("urn:publicid:IDN+emulab.net:netserv+slice+exp1"));
        Assert.That(status.Slivers.Select(s => (s.Allocation, s.Operational)), Is.EqualTo(new[]
        {
            (AllocationState.Provisioned, OperationalState.Ready),
            (AllocationState.Provisioned, OperationalState.Failed),
        }));
        Assert.That(status.Slivers.Select(s => s.Expires), Is.All.EqualTo(new DateTimeOffset(2026, 12, 6, 14, 0, 0, TimeSpan.Zero)));
        Assert.That(status.Slivers.Select(s => s.Error), Is.EqualTo(new[] { null, "node failed to boot: image load timed out" }));
    }

    [Test]
    public void ReadSliverList_DeleteAnswer_ReadsUnallocatedSlivers()
    {
        var slivers = AmApiResponses.ReadSliverList(Return("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
              <member><name>value</name><value><array><data>
                <value><struct>
                  <member><name>geni_sliver_urn</name><value>urn:publicid:IDN+utah.cloudlab.us+sliver+1001</value></member>
                  <member><name>geni_allocation_status</name><value>geni_unallocated</value></member>
                  <member><name>geni_expires</name><value>2026-12-06T14:00:00Z</value></member>
                </struct></value>
              </data></array></value></member>
            </struct></value></param></params></methodResponse>
            """));

        Assert.That(slivers.Single().Allocation, Is.EqualTo(AllocationState.Unallocated));
        Assert.That(slivers.Single().Operational, Is.EqualTo(OperationalState.Other));
    }

    [Test]
    public void ReadShutdown_BooleanTrue_ReadsTrue()
    {
        var answer = Return("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
              <member><name>value</name><value><boolean>1</boolean></value></member>
            </struct></value></param></params></methodResponse>
            """);

        Assert.That(AmApiResponses.ReadShutdown(answer), Is.True);
    }

    [Test]
    public void ReadManifestResult_CompressedRSpec_Inflates()
    {
        // base64(zlib(manifest)) as Python's base64.b64encode(zlib.compress(...)) writes it.
        var result = AmApiResponses.ReadManifestResult(Return("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
              <member><name>value</name><value><struct>
                <member><name>geni_rspec</name><value>eJwljUEKgzAQAL8S9iokSm+innrppV8oMdnWhbiG7Ka2vy/V4wwDMxTJGMxnTSwjLKq5d27fd/tCJsuorqBstQQUd6TuAka/GUdYPdMTRWEaeItoQiJkfVAc4c8tGEn0xnKYWrjPdU4UKPa3672p6hcb0lZj8rOt0pxx07VtB24aztv0Ax69OH0=</value></member>
                <member><name>geni_urn</name><value>urn:publicid:IDN+emulab.net:netserv+slice+exp1</value></member>
                <member><name>geni_slivers</name><value><array><data/></array></value></member>
              </struct></value></member>
            </struct></value></param></params></methodResponse>
            """));

        Assert.That(result.RSpec, Is.EqualTo("""<rspec xmlns="http://www.geni.net/resources/rspec/3" type="manifest"><node client_id="node0" sliver_id="urn:publicid:IDN+utah.cloudlab.us+sliver+1001"/></rspec>"""));
        Assert.That(result.SliceUrn, Is.EqualTo("urn:publicid:IDN+emulab.net:netserv+slice+exp1"));
    }

    [Test]
    public void DecodeRSpec_CompressedWithLineBreaks_Inflates()
    {
        // base64.encodebytes breaks lines at 76 characters.
        var value = new XmlRpcString("eJwdysEJgDAMBdBVSgZoDt7EuovUjxZsLEm0ur3gO79JrSGHpx5iiXb3NjL33uMGKVHgrLDz0gzj\nv/JAwd+GRMt6Q70YKsSJ5w8TOBsz\n");

        Assert.That(AmApiResponses.DecodeRSpec(value, "value"), Is.EqualTo("""<rspec xmlns="http://www.geni.net/resources/rspec/3" type="advertisement"/>"""));
    }

    [Test]
    public void DecodeRSpec_CompressedInBase64Element_Inflates()
    {
        var bytes = Convert.FromBase64String("eJwdysEJgDAMBdBVSgZoDt7EuovUjxZsLEm0ur3gO79JrSGHpx5iiXb3NjL33uMGKVHgrLDz0gzjv/JAwd+GRMt6Q70YKsSJ5w8TOBsz");

        Assert.That(AmApiResponses.DecodeRSpec(new XmlRpcBase64(bytes), "value"), Does.StartWith("<rspec "));
    }

    [Test]
    public void DecodeRSpec_Base64ButNotZlib_ThrowsNamingTheMember()
    {
        var e = Assert.Throws<XmlRpcTypeException>(() => AmApiResponses.DecodeRSpec(new XmlRpcString("aGVsbG8gd29ybGQ="), "geni_rspec"))!;

        Assert.That(e.Message, Does.StartWith("member \"geni_rspec\": base64 but not zlib data"));
    }

    [Test]
    public void DecodeRSpec_NeitherXmlNorBase64_ThrowsNamingTheMember()
    {
        var e = Assert.Throws<XmlRpcTypeException>(() => AmApiResponses.DecodeRSpec(new XmlRpcString("not an rspec!"), "geni_rspec"))!;

        Assert.That(e.Message, Is.EqualTo("member \"geni_rspec\": neither an rspec nor zlib data in base64 (it starts 'not an rspec!')"));
    }

    [Test]
    public void ReadReturn_NoCode_ThrowsNamingTheMissingMember()
    {
        var e = Assert.Throws<XmlRpcTypeException>(() => Return("<methodResponse><params><param><value><struct><member><name>value</name><value>x</value></member></struct></value></param></params></methodResponse>"))!;

        Assert.That(e.Message, Does.Contain("no member \"code\""));
    }

    [Test]
    public void ReadStatus_SliverWithBadExpiry_ThrowsNamingTheSliver()
    {
        var e = Assert.Throws<XmlRpcTypeException>(() => AmApiResponses.ReadStatus(Return(StatusAnswer.Replace("2026-12-06T14:00:00+00:00", "tomorrow", StringComparison.Ordinal))))!;

        Assert.That(e.Message, Is.EqualTo("geni_slivers[0]: member \"geni_expires\": expected an RFC 3339 time, got string \"tomorrow\""));
    }

    internal static AmReturn Return(string document)
        => AmApiResponses.ReadReturn(((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(document)).Value);
}
