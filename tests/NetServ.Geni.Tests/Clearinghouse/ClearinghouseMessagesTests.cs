using NetServ.Geni.AmApi;
using NetServ.Geni.Clearinghouse;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.Clearinghouse;

/// <summary>
/// The calls as the Common Federation API v2 and ProtoGENI's slice authority define them, and their
/// answers read from XML-RPC documents written as those servers write them.
/// </summary>
[TestFixture]
public sealed class ClearinghouseMessagesTests
{
    [Test]
    public void GetCredentials_IsTheUrnTheCredentialListAndAnOptionsStruct()
    {
        var call = ClearinghouseMessages.GetCredentials("urn:publicid:IDN+emulab.net+user+alice", [AmCredential.Sfa("<signed-credential/>")]);

        Assert.That(call.MethodName, Is.EqualTo("get_credentials"));
        Assert.That(call.Parameters, Has.Count.EqualTo(3));
        Assert.That(call.Parameters[0].AsString(), Is.EqualTo("urn:publicid:IDN+emulab.net+user+alice"));
        var credential = call.Parameters[1].AsArray().Single().AsStruct();
        Assert.That((credential.GetString("geni_type"), credential.GetString("geni_version"), credential.GetString("geni_value")), Is.EqualTo(("geni_sfa", "3", "<signed-credential/>")));
        Assert.That(call.Parameters[2].AsStruct().Count, Is.Zero);
    }

    [Test]
    public void CreateSlice_PutsTheNameAndProjectInTheFieldsOfTheOptions()
    {
        var call = ClearinghouseMessages.CreateSlice("exp1", "urn:publicid:IDN+emulab.net+project+netserv", []);

        Assert.That(call.MethodName, Is.EqualTo("create"));
        Assert.That(call.Parameters[0].AsString(), Is.EqualTo("SLICE"));
        Assert.That(call.Parameters[1].AsArray(), Is.Empty);
        var fields = call.Parameters[2].AsStruct().GetStruct("fields");
        Assert.That(fields.GetString("SLICE_NAME"), Is.EqualTo("exp1"));
        Assert.That(fields.GetString("SLICE_PROJECT_URN"), Is.EqualTo("urn:publicid:IDN+emulab.net+project+netserv"));
    }

    [Test]
    public void ProtoGeniSliceCall_IsOneStructOfCredentialTypeAndUrn()
    {
        var call = ClearinghouseMessages.ProtoGeniSliceCall("Register", "<user-credential/>", "urn:publicid:IDN+emulab.net+slice+exp1");

        var arguments = call.Parameters.Single().AsStruct();
        Assert.That(call.MethodName, Is.EqualTo("Register"));
        Assert.That(arguments.GetString("credential"), Is.EqualTo("<user-credential/>"));
        Assert.That(arguments.GetString("type"), Is.EqualTo("Slice"));
        Assert.That(arguments.GetString("urn"), Is.EqualTo("urn:publicid:IDN+emulab.net+slice+exp1"));
        Assert.That(ClearinghouseMessages.ProtoGeniUserCredential().Parameters, Is.Empty, "GetCredential() of the user takes no argument");
    }

    [Test]
    public void SliceUrn_PutsTheProjectAfterTheAuthority()
    {
        Assert.That(ClearinghouseMessages.SliceUrn("emulab.net", "exp1", "netserv"), Is.EqualTo("urn:publicid:IDN+emulab.net:netserv+slice+exp1"));
        Assert.That(ClearinghouseMessages.SliceUrn("netserv.local", "exp1", null), Is.EqualTo("urn:publicid:IDN+netserv.local+slice+exp1"));
    }

    [Test]
    public void ReadReturn_ReadsTheFederationReturnStruct()
    {
        // get_credentials' answer as a slice authority writes it: a list of typed credentials, the SFA one
        // beside an ABAC one (the API says a slice authority may return both).
        const string document = """
            <?xml version="1.0"?>
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><int>0</int></value></member>
              <member><name>value</name><value><array><data>
                <value><struct>
                  <member><name>geni_type</name><value><string>geni_abac</string></value></member>
                  <member><name>geni_version</name><value><string>1</string></value></member>
                  <member><name>geni_value</name><value><string>abac-credential</string></value></member>
                </struct></value>
                <value><struct>
                  <member><name>geni_type</name><value><string>geni_sfa</string></value></member>
                  <member><name>geni_version</name><value><string>3</string></value></member>
                  <member><name>geni_value</name><value><string>&lt;signed-credential/&gt;</string></value></member>
                </struct></value>
              </data></array></value></member>
              <member><name>output</name><value><string></string></value></member>
            </struct></value></param></params></methodResponse>
            """;
        var answer = ((XmlRpcSuccess)XmlRpcReader.ReadMethodResponse(document)).Value;

        var result = ClearinghouseMessages.ReadReturn(answer);

        Assert.That(result.Code, Is.Zero);
        Assert.That(ClearinghouseMessages.ReadSfaCredential(result.Value), Is.EqualTo("<signed-credential/>"));
    }

    [Test]
    public void ReadReturn_ReadsADuplicateRefusal()
    {
        var answer = new XmlRpcStruct { { "code", 5 }, { "value", XmlRpcNil.Instance }, { "output", "[DUPLICATE] DUPLICATE_ERROR (slice exp1 exists)" } };

        var result = ClearinghouseMessages.ReadReturn(answer);

        Assert.That((FederationCode)result.Code, Is.EqualTo(FederationCode.DUPLICATE_ERROR));
        Assert.That(result.Output, Does.Contain("DUPLICATE"));
    }

    [Test]
    public void ReadSfaCredential_WithoutAnSfaCredential_Throws()
    {
        var list = new XmlRpcArray(new XmlRpcStruct { { "geni_type", "geni_abac" }, { "geni_version", "1" }, { "geni_value", "x" } });

        Assert.That(() => ClearinghouseMessages.ReadSfaCredential(list), Throws.TypeOf<XmlRpcTypeException>().With.Message.Contains("geni_sfa"));
    }

    [Test]
    public void ReadReturn_WithoutCode_Throws()
        => Assert.That(() => ClearinghouseMessages.ReadReturn(new XmlRpcStruct { { "value", 1 } }), Throws.TypeOf<XmlRpcTypeException>());

    [TestCase("cloudlab", "https://www.emulab.net:12369/protogeni/xmlrpc/geni-sa/2", ClearinghouseProtocol.Federation)]
    [TestCase("emulab", "https://www.emulab.net:12369/protogeni/xmlrpc/geni-sa/2", ClearinghouseProtocol.Federation)]
    [TestCase("cloudlab-pg", "https://www.emulab.net:12369/protogeni/xmlrpc/sa", ClearinghouseProtocol.ProtoGeni)]
    [TestCase("local:4443", "https://127.0.0.1:4443/", ClearinghouseProtocol.Federation)]
    public void TryResolve_KnownNames_GiveTheirSliceAuthority(string name, string sliceAuthority, ClearinghouseProtocol protocol)
    {
        Assert.That(Clearinghouses.TryResolve(name, ClearinghouseProtocol.Federation, out var clearinghouse, out var error), Is.True, error);
        Assert.That(clearinghouse!.SliceAuthority, Is.EqualTo(new Uri(sliceAuthority)));
        Assert.That(clearinghouse.Protocol, Is.EqualTo(protocol));
    }

    [TestCase("http://ch.example/", "HTTPS")]
    [TestCase("nowhere", "neither a known clearinghouse")]
    [TestCase("local:99999", "1 to 65535")]
    public void TryResolve_Unknown_SaysWhatIsAccepted(string name, string expected)
    {
        Assert.That(Clearinghouses.TryResolve(name, ClearinghouseProtocol.Federation, out _, out var error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }
}
