using System.Security.Cryptography.X509Certificates;
using NetServ.Geni.AmApi;
using NetServ.Geni.Clearinghouse;
using NetServ.Geni.Credentials;
using NetServ.Geni.LocalAggregate;
using NetServ.Geni.Tests.LocalAggregate;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.Clearinghouse;

/// <summary>
/// The clearinghouse client against the local authority's clearinghouse, served by the aggregate host
/// over HTTPS with client certificates: credentials a student gets this way are the ones the aggregate takes.
/// </summary>
[TestFixture]
public sealed class ClearinghouseClientTests
{
    private AggregateTestBed bed = null!;
    private readonly List<HttpClient> https = [];

    [SetUp]
    public async Task SetUp() => bed = await AggregateTestBed.StartAsync();

    [TearDown]
    public async Task TearDown()
    {
        https.ForEach(h => h.Dispose());
        https.Clear();
        await bed.DisposeAsync();
    }

    [TestCase(ClearinghouseProtocol.Federation)]
    [TestCase(ClearinghouseProtocol.ProtoGeni)]
    public async Task GetUserCredential_IsSignedByTheAuthorityForTheCaller(ClearinghouseProtocol protocol)
    {
        var credential = await Client(protocol).GetUserCredentialAsync(bed.Alice.UserUrn);

        var check = new CredentialVerifier(bed.Roots, bed.Time).Verify(credential, bed.Alice.Certificate, bed.Alice.UserUrn);
        Assert.That(check.IsAccepted, Is.True, check.Message);
    }

    [TestCase(ClearinghouseProtocol.Federation)]
    [TestCase(ClearinghouseProtocol.ProtoGeni)]
    public async Task CreateSlice_GivesACredentialTheAggregateAccepts(ClearinghouseProtocol protocol)
    {
        var slice = await Client(protocol).CreateSliceAsync("exp1", bed.Alice.UserUrn);

        Assert.That(slice.Created, Is.True);
        Assert.That(slice.SliceUrn, Is.EqualTo(bed.SliceUrn("exp1")));
        var rpc = bed.Client(out var http);
        https.Add(http);
        var allocated = await new AmApiClient(rpc).AllocateAsync(slice.SliceUrn, [AmCredential.Sfa(slice.Credential)], Request);
        Assert.That(allocated.Slivers, Is.Not.Empty, "Allocate with the clearinghouse's slice credential");
    }

    [TestCase(ClearinghouseProtocol.Federation)]
    [TestCase(ClearinghouseProtocol.ProtoGeni)]
    public async Task CreateSlice_OfAnExistingSliceOfTheCaller_GivesItsCredential(ClearinghouseProtocol protocol)
    {
        var first = await Client(protocol).CreateSliceAsync("exp2", bed.Alice.UserUrn);

        var again = await Client(protocol).CreateSliceAsync("exp2", bed.Alice.UserUrn);

        Assert.That(again.Created, Is.False);
        Assert.That(again.SliceUrn, Is.EqualTo(first.SliceUrn));
        var check = new CredentialVerifier(bed.Roots, bed.Time).Verify(again.Credential, bed.Alice.Certificate, first.SliceUrn);
        Assert.That(check.IsAccepted, Is.True, check.Message);
    }

    [Test]
    public async Task GetSliceCredential_OfAnotherUsersSlice_IsRefusedAsUnauthorised()
    {
        var slice = await Client(ClearinghouseProtocol.Federation).CreateSliceAsync("alices", bed.Alice.UserUrn);
        using var bob = bed.User("bob");

        var e = Assert.ThrowsAsync<ClearinghouseException>(() => Client(ClearinghouseProtocol.Federation, bob).GetSliceCredentialAsync(slice.SliceUrn, bed.Authority.UserUrn("bob")));

        Assert.That(e!.Code, Is.EqualTo((int)FederationCode.AUTHORIZATION_ERROR));
        Assert.That(e.Message, Does.Contain("get_credentials").And.Contain("AUTHORIZATION_ERROR").And.Contain("not a member").And.Contain("What to do"));
    }

    [Test]
    public async Task CreateSlice_TakenByAnotherUser_IsRefusedOverProtoGeni()
    {
        await Client(ClearinghouseProtocol.ProtoGeni).CreateSliceAsync("taken", bed.Alice.UserUrn);
        using var bob = bed.User("bob");

        var e = Assert.ThrowsAsync<ClearinghouseException>(() => Client(ClearinghouseProtocol.ProtoGeni, bob).CreateSliceAsync("taken", bed.Authority.UserUrn("bob")));

        Assert.That(e!.Code, Is.EqualTo((int)GeniCode.FORBIDDEN));
        Assert.That(e.Message, Does.Contain("FORBIDDEN"));
    }

    [Test]
    public void GetUserCredential_OfAnotherUser_IsRefused()
    {
        var e = Assert.ThrowsAsync<ClearinghouseException>(() => Client(ClearinghouseProtocol.Federation).GetUserCredentialAsync(bed.Authority.UserUrn("bob")));

        Assert.That(e!.Code, Is.EqualTo((int)FederationCode.AUTHORIZATION_ERROR));
    }

    [Test]
    public void GetSliceCredential_OfAnUnknownSlice_IsAnArgumentError()
    {
        var e = Assert.ThrowsAsync<ClearinghouseException>(() => Client(ClearinghouseProtocol.Federation).GetSliceCredentialAsync(bed.SliceUrn("never-made"), bed.Alice.UserUrn));

        Assert.That(e!.Code, Is.EqualTo((int)FederationCode.ARGUMENT_ERROR));
        Assert.That(e.Message, Does.Contain("Unknown slice"));
    }

    [Test]
    public void CreateSlice_InAProject_SaysTheLocalAuthorityHasNone()
    {
        var e = Assert.ThrowsAsync<ClearinghouseException>(() => Client(ClearinghouseProtocol.Federation).CreateSliceAsync("exp3", bed.Alice.UserUrn, project: "netserv"));

        Assert.That(e!.Code, Is.EqualTo((int)FederationCode.ARGUMENT_ERROR));
        Assert.That(e.Message, Does.Contain("Unknown project").And.Contain("no projects"));
    }

    [Test]
    public async Task CreateSlice_AfterTheSliceExpired_MakesItAgain()
    {
        await Client(ClearinghouseProtocol.Federation).CreateSliceAsync("short", bed.Alice.UserUrn);
        bed.Time.Advance(TimeSpan.FromDays(8));

        var again = await Client(ClearinghouseProtocol.Federation).CreateSliceAsync("short", bed.Alice.UserUrn);

        Assert.That(again.Created, Is.True);
    }

    [Test]
    public async Task Slices_SurviveARestartOfTheClearinghouse()
    {
        var slice = await Client(ClearinghouseProtocol.Federation).CreateSliceAsync("kept", bed.Alice.UserUrn);

        var restarted = new LocalClearinghouse(bed.Authority, Path.Combine(bed.StateDirectory, "slice-authority"), bed.Time);

        Assert.That(restarted.Slices.Select(s => (s.Urn, s.Owner)), Is.EqualTo(new[] { (slice.SliceUrn, bed.Alice.UserUrn) }));
    }

    [Test]
    public async Task Call_OfAServerWithoutTheMethod_SaysTheUrlServesNoSuchAuthority()
    {
        // An XML-RPC server that is no clearinghouse: the method is unknown there.
        await using var host = await HttpsXmlRpcHost.StartAsync(new XmlRpcServer());
        using var http = new HttpClient(host.Handler(bed.Alice.Certificate));
        var service = new ClearinghouseService("elsewhere", ClearinghouseProtocol.ProtoGeni, host.BaseAddress, host.BaseAddress, "no clearinghouse");

        var e = Assert.ThrowsAsync<ClearinghouseException>(() => new ClearinghouseClient(service, uri => new XmlRpcClient(http, uri)).GetUserCredentialAsync(bed.Alice.UserUrn));

        Assert.That(e!.Message, Does.Contain("GetCredential at elsewhere").And.Contain("does not serve ProtoGENI's slice authority").And.Contain("--protocol"));
    }

    [Test]
    public async Task CreateSlice_WhereTheFederationApiIsNotServed_FallsBackToProtoGenisSliceAuthority()
    {
        // The Federation API's URL answers, but knows none of its methods; the fallback is the local ProtoGENI slice authority.
        await using var bare = await HttpsXmlRpcHost.StartAsync(new XmlRpcServer());
        using var http = new HttpClient(bare.Handler(bed.Alice.Certificate));
        bed.Client(out var local);
        https.Add(local);
        var protoGeni = new ClearinghouseService("local-pg", ClearinghouseProtocol.ProtoGeni, bed.Address, bed.Address, "the fallback");
        var federation = new ClearinghouseService("bare", ClearinghouseProtocol.Federation, bare.BaseAddress, bare.BaseAddress, "no Federation API") { Fallback = protoGeni };
        var client = new ClearinghouseClient(federation, uri => new XmlRpcClient(uri.Port == bare.BaseAddress.Port ? http : local, uri));

        var slice = await client.CreateSliceAsync("fallback", bed.Alice.UserUrn);

        Assert.That(slice.Created, Is.True);
        var check = new CredentialVerifier(bed.Roots, bed.Time).Verify(slice.Credential, bed.Alice.Certificate, bed.SliceUrn("fallback"));
        Assert.That(check.IsAccepted, Is.True, check.Message);
    }

    [Test]
    public void CreateSlice_RefusedByTheFederationApi_DoesNotFallBack()
    {
        var protoGeni = new ClearinghouseService("unused", ClearinghouseProtocol.ProtoGeni, new Uri("https://127.0.0.1:9/"), new Uri("https://127.0.0.1:9/"), "never called");
        bed.Client(out var http);
        https.Add(http);
        var federation = new ClearinghouseService("local", ClearinghouseProtocol.Federation, bed.Address, bed.Address, "the test's") { Fallback = protoGeni };

        var e = Assert.ThrowsAsync<ClearinghouseException>(() => new ClearinghouseClient(federation, uri => new XmlRpcClient(http, uri)).CreateSliceAsync("exp", bed.Alice.UserUrn, project: "p"));

        Assert.That(e!.Clearinghouse.Name, Is.EqualTo("local"), "a refusal is an answer: no fallback");
        Assert.That(e.Code, Is.EqualTo((int)FederationCode.ARGUMENT_ERROR));
    }

    private const string Request = """
        <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
          <node client_id="n1" exclusive="false"><sliver_type name="docker-container"/></node>
        </rspec>
        """;

    private ClearinghouseClient Client(ClearinghouseProtocol protocol, X509Certificate2? certificate = null)
    {
        bed.Client(out var http, certificate);
        https.Add(http);
        var service = new ClearinghouseService("local", protocol, bed.Address, bed.Address, "the test's local authority");
        return new ClearinghouseClient(service, uri => new XmlRpcClient(http, uri));
    }

}
