using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml.Linq;
using NetServ.Geni.LocalAggregate;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.Tests.XmlRpc;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.LocalAggregate;

/// <summary>The local aggregate through XML-RPC over HTTPS with client certificates, as a GENI client uses it.</summary>
[NonParallelizable]
public sealed class AmApiV3ServerTests
{
    private static readonly XNamespace Rspec3 = "http://www.geni.net/resources/rspec/3";

    // Two nodes joined by a link; b's interface has no address, so the aggregate gives it one.
    private const string Request = """
        <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
          <node client_id="a" exclusive="false">
            <sliver_type name="docker-container"/>
            <interface client_id="a:if0"><ip address="198.18.1.1" netmask="255.255.255.0" type="ipv4"/></interface>
          </node>
          <node client_id="b" exclusive="false">
            <sliver_type name="docker-container"/>
            <interface client_id="b:if0"/>
          </node>
          <link client_id="l0"><interface_ref client_id="a:if0"/><interface_ref client_id="b:if0"/></link>
        </rspec>
        """;

    private AggregateTestBed bed = null!;
    private XmlRpcClient client = null!;
    private HttpClient http = null!;

    [SetUp]
    public async Task Start()
    {
        bed = await AggregateTestBed.StartAsync(nodeCount: 3);
        client = bed.Client(out http);
    }

    [TearDown]
    public async Task Stop()
    {
        http.Dispose();
        await bed.DisposeAsync();
    }

    [Test]
    public async Task GetVersion_Answer_HasTheFieldsOfTheV3Spec()
    {
        var answer = (await client.CallAsync("GetVersion")).AsStruct();

        Assert.That(answer.GetInt("geni_api"), Is.EqualTo(3), "top-level geni_api, which clients check");
        Assert.That(answer.GetStruct("code").GetInt("geni_code"), Is.Zero);
        var value = answer.GetStruct("value");
        Assert.That(value.GetInt("geni_api"), Is.EqualTo(3));
        Assert.That(value.GetStruct("geni_api_versions").GetString("3"), Is.EqualTo(bed.Options.Url.ToString()));
        foreach (var (field, schema) in new[] { ("geni_request_rspec_versions", "request.xsd"), ("geni_ad_rspec_versions", "ad.xsd") })
        {
            var version = value.GetArray(field).Single().AsStruct();
            Assert.That(version.GetString("type"), Is.EqualTo("GENI"));
            Assert.That(version.GetString("version"), Is.EqualTo("3"));
            Assert.That(version.GetString("schema"), Is.EqualTo("http://www.geni.net/resources/rspec/3/" + schema));
            Assert.That(version.GetString("namespace"), Is.EqualTo("http://www.geni.net/resources/rspec/3"));
            Assert.That(version.GetArray("extensions"), Is.Empty);
        }

        var credentialType = value.GetArray("geni_credential_types").Single().AsStruct();
        Assert.That((credentialType.GetString("geni_type"), credentialType.GetString("geni_version")), Is.EqualTo(("geni_sfa", "3")));
        Assert.That(value.GetBoolean("geni_single_allocation"), Is.False);
        Assert.That(value.GetString("geni_allocate"), Is.EqualTo("geni_many"));
    }

    [Test]
    public async Task Lifecycle_AllocateProvisionStartRenewDelete_GoesThroughTheGeniStates()
    {
        var slice = bed.SliceUrn("s1");
        var credentials = bed.SliceCredential("s1");

        var allocated = ValueStruct(await client.CallAsync("Allocate", slice, credentials, Request, new XmlRpcStruct()));
        Assert.That(States(allocated.GetArray("geni_slivers")), Is.All.EqualTo(("geni_allocated", "geni_pending_allocation")));
        var manifest = XDocument.Parse(allocated.GetString("geni_rspec"));
        Assert.That((string?)manifest.Root!.Attribute("type"), Is.EqualTo("manifest"));
        Assert.That(manifest.Root.Elements(Rspec3 + "node").Select(n => (string?)n.Attribute("sliver_id")), Has.All.StartWith("urn:publicid:IDN+netserv.local+sliver+"));

        var users = new XmlRpcStruct
        {
            { "geni_users", new XmlRpcArray(new XmlRpcStruct { { "urn", bed.Alice.UserUrn }, { "keys", new XmlRpcArray("ssh-ed25519 AAAA alice@laptop") } }) },
        };
        var provisioned = ValueStruct(await client.CallAsync("Provision", new XmlRpcArray(slice), credentials, users));
        Assert.That(States(provisioned.GetArray("geni_slivers")), Is.All.EqualTo(("geni_provisioned", "geni_notready")));
        Assert.That(bed.Provisioner.Provisioned.Single().Users.Single().Keys, Is.EqualTo(new[] { "ssh-ed25519 AAAA alice@laptop" }));
        Assert.That(bed.Provisioner.Provisioned.Single().Request.Links.Single().ClientId, Is.EqualTo("l0"));
        var nodes = XDocument.Parse(provisioned.GetString("geni_rspec")).Root!.Elements(Rspec3 + "node").ToList();
        foreach (var node in nodes)
        {
            var login = node.Element(Rspec3 + "services")!.Element(Rspec3 + "login")!;
            Assert.That((string?)login.Attribute("authentication"), Is.EqualTo("ssh-keys"));
            Assert.That((string?)login.Attribute("hostname"), Is.EqualTo("127.0.0.1"));
            Assert.That((string?)login.Attribute("username"), Is.EqualTo("netserv"));
            Assert.That((int?)login.Attribute("port"), Is.GreaterThanOrEqualTo(22000));
            Assert.That((string?)node.Attribute("component_id"), Does.StartWith("urn:publicid:IDN+netserv.local+node+node"));
        }

        var given = nodes.Single(n => (string?)n.Attribute("client_id") == "b").Element(Rspec3 + "interface")!.Element(Rspec3 + "ip")!;
        Assert.That(((string?)given.Attribute("address"), (string?)given.Attribute("netmask")), Is.EqualTo(("198.18.1.10", "255.255.255.0")));

        var started = Value(await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct()));
        Assert.That(States(started.AsArray()), Is.All.EqualTo(("geni_provisioned", "geni_ready")));
        var status = Value(await client.CallAsync("Status", new XmlRpcArray(slice), credentials, new XmlRpcStruct())).AsStruct();
        Assert.That(status.GetString("geni_urn"), Is.EqualTo(slice));
        Assert.That(States(status.GetArray("geni_slivers")), Is.All.EqualTo(("geni_provisioned", "geni_ready")));

        var until = bed.Time.GetUtcNow().AddDays(2);
        var renewed = Value(await client.CallAsync("Renew", new XmlRpcArray(slice), credentials, AmApiV3Dispatcher.Rfc3339(until), new XmlRpcStruct()));
        Assert.That(renewed.AsArray().Select(s => s.AsStruct().GetString("geni_expires")), Is.All.EqualTo(AmApiV3Dispatcher.Rfc3339(until)));

        var deleted = Value(await client.CallAsync("Delete", new XmlRpcArray(slice), credentials, new XmlRpcStruct()));
        Assert.That(deleted.AsArray().Select(s => s.AsStruct().GetString("geni_allocation_status")), Is.All.EqualTo("geni_unallocated"));
        Assert.That(bed.Provisioner.Released, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(Directory.EnumerateFiles(bed.StateDirectory), Is.Empty, "nothing is left after Delete");
        Assert.That(Code(await client.CallAsync("Describe", new XmlRpcArray(slice), credentials, AggregateTestBed.RspecVersion)), Is.EqualTo(GeniCode.SEARCHFAILED));
    }

    [Test]
    public async Task PerformOperationalAction_StopThenStart_ReportsNotReadyThenReady()
    {
        var (slice, credentials) = await ProvisionedAsync("s1");
        await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct());

        var stopped = Value(await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_stop", new XmlRpcStruct()));

        Assert.That(States(stopped.AsArray()), Is.All.EqualTo(("geni_provisioned", "geni_notready")));
        Assert.That(bed.Provisioner.Stopped, Is.EquivalentTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task PerformOperationalAction_UnknownAction_Unsupported()
    {
        var (slice, credentials) = await ProvisionedAsync("s1");

        var answer = await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_reboot_everything", new XmlRpcStruct());

        Assert.That(Code(answer), Is.EqualTo(GeniCode.UNSUPPORTED));
    }

    [Test]
    public async Task PerformOperationalAction_StartOnAllocatedSlivers_UnsupportedUnlessBestEffort()
    {
        var slice = bed.SliceUrn("s1");
        var credentials = bed.SliceCredential("s1");
        await client.CallAsync("Allocate", slice, credentials, Request, new XmlRpcStruct());

        var refused = await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct());
        var bestEffort = Value(await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct { { "geni_best_effort", true } }));

        Assert.That(Code(refused), Is.EqualTo(GeniCode.UNSUPPORTED));
        Assert.That(bestEffort.AsArray().Select(s => s.AsStruct().GetString("geni_error")), Has.All.Contain("geni_allocated"));
    }

    [Test]
    public async Task ListResources_Compressed_DecodesToTheAdvertisementOfEveryNode()
    {
        var options = AggregateTestBed.RspecVersion;
        options.Add("geni_compressed", true);

        var value = Value(await client.CallAsync("ListResources", bed.UserCredential(), options)).AsString();

        using var zlib = new ZLibStream(new MemoryStream(Convert.FromBase64String(value)), CompressionMode.Decompress);
        using var reader = new StreamReader(zlib, Encoding.UTF8);
        var advertisement = XDocument.Parse(await reader.ReadToEndAsync()).Root!;
        Assert.That((string?)advertisement.Attribute("type"), Is.EqualTo("advertisement"));
        var nodes = advertisement.Elements(Rspec3 + "node").ToList();
        Assert.That(nodes, Has.Count.EqualTo(3));
        Assert.That(nodes.Select(n => (string?)n.Element(Rspec3 + "sliver_type")!.Attribute("name")), Is.All.EqualTo("docker-container"));
        Assert.That(nodes.Select(n => (string?)n.Element(Rspec3 + "sliver_type")!.Element(Rspec3 + "disk_image")!.Attribute("name")), Is.All.EqualTo("netserv/node"));
        Assert.That(nodes.Select(n => (string?)n.Attribute("component_manager_id")), Is.All.EqualTo("urn:publicid:IDN+netserv.local+authority+cm"));
    }

    [Test]
    public async Task ListResources_Available_ListsOnlyFreeNodes()
    {
        await client.CallAsync("Allocate", bed.SliceUrn("s1"), bed.SliceCredential("s1"), Request, new XmlRpcStruct());
        var options = AggregateTestBed.RspecVersion;
        options.Add("geni_available", true);

        var advertisement = XDocument.Parse(Value(await client.CallAsync("ListResources", bed.UserCredential(), options)).AsString());

        var node = advertisement.Root!.Elements(Rspec3 + "node").Single();
        Assert.That((string?)node.Element(Rspec3 + "available")!.Attribute("now"), Is.EqualTo("true"));
    }

    [Test]
    public async Task ListResources_RspecVersion2_BadVersion()
    {
        var options = new XmlRpcStruct { { "geni_rspec_version", new XmlRpcStruct { { "type", "ProtoGENI" }, { "version", "2" } } } };

        Assert.That(Code(await client.CallAsync("ListResources", bed.UserCredential(), options)), Is.EqualTo(GeniCode.BADVERSION));
    }

    [Test]
    public async Task Allocate_MalformedXml_BadArgsWithLineAndColumn()
    {
        var answer = (await client.CallAsync("Allocate", bed.SliceUrn("s1"), bed.SliceCredential("s1"), "<rspec xmlns=\"http://www.geni.net/resources/rspec/3\" type=\"request\">\n  <node client_id=\"a\">\n</rspec>", new XmlRpcStruct())).AsStruct();

        Assert.That(Code(answer), Is.EqualTo(GeniCode.BADARGS));
        Assert.That(answer.GetString("output"), Does.Match("line 3, column \\d+"));
    }

    [Test]
    public async Task Allocate_RspecOfAnotherVersion_BadVersion()
    {
        const string V2 = "<rspec xmlns=\"http://www.protogeni.net/resources/rspec/2\" type=\"request\"><node client_id=\"a\"/></rspec>";

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), bed.SliceCredential("s1"), V2, new XmlRpcStruct())), Is.EqualTo(GeniCode.BADVERSION));
    }

    [Test]
    public async Task Allocate_BeyondCapacity_TooBigNamingWhatIsFree()
    {
        await client.CallAsync("Allocate", bed.SliceUrn("s1"), bed.SliceCredential("s1"), Request, new XmlRpcStruct());

        var answer = (await client.CallAsync("Allocate", bed.SliceUrn("s2"), bed.SliceCredential("s2"), Request, new XmlRpcStruct())).AsStruct();

        Assert.That(Code(answer), Is.EqualTo(GeniCode.TOOBIG));
        Assert.That(answer.GetString("output"), Does.Contain("asks for 2 nodes; this aggregate has 3, of which 1 are free"));
    }

    [Test]
    public async Task Allocate_NodeAlreadyInTheSlice_AlreadyExists()
    {
        var credentials = bed.SliceCredential("s1");
        await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct());

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.ALREADYEXISTS));
    }

    [Test]
    public async Task Allocate_CredentialOfAnotherUser_CredentialMismatch()
    {
        using var bob = bed.User("bob");
        var credentials = AggregateTestBed.Credentials(bed.Authority.IssueSliceCredential(bob, "s1"));

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.CREDENTIAL_MISMATCH));
    }

    [Test]
    public async Task Allocate_ExpiredCredential_CredentialExpired()
    {
        var credentials = AggregateTestBed.Credentials(bed.Authority.IssueSliceCredential(bed.Alice.Certificate, "s1", bed.Time.GetUtcNow().AddMinutes(1)));
        bed.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.CREDENTIAL_EXPIRED));
    }

    [Test]
    public async Task Allocate_CredentialOfAnUntrustedAuthority_SignerUntrusted()
    {
        using var stranger = LocalAuthority.Create(bed.Time);
        var credentials = AggregateTestBed.Credentials(stranger.IssueSliceCredential(bed.Alice.Certificate, "s1"));

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.CREDENTIAL_SIGNER_UNTRUSTED));
    }

    [Test]
    public async Task Allocate_TamperedCredential_CredentialInvalid()
    {
        var document = bed.Authority.IssueSliceCredential(bed.Alice.Certificate, "s1").Replace("<serial>1</serial>", "<serial>2</serial>", StringComparison.Ordinal);

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), AggregateTestBed.Credentials(document), Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.CREDENTIAL_INVALID));
    }

    [Test]
    public async Task Allocate_CredentialWithoutTheCreateSliverPrivilege_Forbidden()
    {
        var document = new CredentialSigner(bed.Authority.Certificate).Sign(new CredentialContent
        {
            Owner = bed.Alice.Certificate,
            Target = bed.Alice.Certificate,
            TargetUrn = bed.SliceUrn("s1"),
            Expires = bed.Time.GetUtcNow().AddDays(1),
            Privileges = [new CredentialPrivilege("info", false)],
        });

        var answer = (await client.CallAsync("Allocate", bed.SliceUrn("s1"), AggregateTestBed.Credentials(document), Request, new XmlRpcStruct())).AsStruct();

        Assert.That(Code(answer), Is.EqualTo(GeniCode.FORBIDDEN));
        Assert.That(answer.GetString("output"), Does.Contain("createsliver"));
    }

    [Test]
    public async Task Status_CredentialForAnotherSlice_CredentialMismatch()
    {
        var (slice, _) = await ProvisionedAsync("s1");

        Assert.That(Code(await client.CallAsync("Status", new XmlRpcArray(slice), bed.SliceCredential("s2"), new XmlRpcStruct())), Is.EqualTo(GeniCode.CREDENTIAL_MISMATCH));
    }

    [Test]
    public async Task Allocate_CredentialAsBareDocument_AcceptedAsV2ClientsSendIt()
    {
        var document = bed.Authority.IssueSliceCredential(bed.Alice.Certificate, "s1");

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), new XmlRpcArray(document), Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.SUCCESS));
    }

    [Test]
    public async Task Allocate_OnlyCredentialsOfAnotherType_Forbidden()
    {
        var abac = new XmlRpcArray(new XmlRpcStruct { { "geni_type", "geni_abac" }, { "geni_version", "1" }, { "geni_value", "<signed-credential/>" } });

        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s1"), abac, Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.FORBIDDEN));
    }

    [Test]
    public async Task Status_UnknownSliverUrn_SearchFailed()
    {
        var answer = await client.CallAsync("Status", new XmlRpcArray("urn:publicid:IDN+netserv.local+sliver+0123"), bed.SliceCredential("s1"), new XmlRpcStruct());

        Assert.That(Code(answer), Is.EqualTo(GeniCode.SEARCHFAILED));
    }

    [Test]
    public void Call_ClientCertificateOfNoTrustedAuthority_RefusedByTls()
    {
        using var stranger = TestCertificates.Make("CN=mallory", serverAuth: false);
        var mallory = bed.Client(out var strangerHttp, stranger);
        using (strangerHttp)
        {
            Assert.ThrowsAsync<XmlRpcTransportException>(() => mallory.CallAsync("GetVersion"));
        }
    }

    [Test]
    public async Task Renew_PastTheMaximumLease_OutOfRange()
    {
        var (slice, credentials) = await ProvisionedAsync("s1");

        var answer = await client.CallAsync("Renew", new XmlRpcArray(slice), credentials, AmApiV3Dispatcher.Rfc3339(bed.Time.GetUtcNow().AddDays(8)), new XmlRpcStruct());

        Assert.That(Code(answer), Is.EqualTo(GeniCode.OUTOFRANGE));
        Assert.That(answer.AsStruct().GetString("output"), Does.Contain("renews up to 7 days ahead"));
    }

    [Test]
    public async Task Renew_PastTheSliceCredential_OutOfRange()
    {
        var credentials = AggregateTestBed.Credentials(bed.Authority.IssueSliceCredential(bed.Alice.Certificate, "s1", bed.Time.GetUtcNow().AddDays(1)));
        await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct());
        await client.CallAsync("Provision", new XmlRpcArray(bed.SliceUrn("s1")), credentials, new XmlRpcStruct());

        var answer = await client.CallAsync("Renew", new XmlRpcArray(bed.SliceUrn("s1")), credentials, AmApiV3Dispatcher.Rfc3339(bed.Time.GetUtcNow().AddDays(2)), new XmlRpcStruct());

        Assert.That(Code(answer), Is.EqualTo(GeniCode.OUTOFRANGE));
        Assert.That(answer.AsStruct().GetString("output"), Does.Contain("slice credential expires"));
    }

    [Test]
    public async Task Renew_AllocatedSliversPastTheAllocationLifetime_OutOfRange()
    {
        var credentials = bed.SliceCredential("s1");
        await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct());

        var answer = await client.CallAsync("Renew", new XmlRpcArray(bed.SliceUrn("s1")), credentials, AmApiV3Dispatcher.Rfc3339(bed.Time.GetUtcNow().AddHours(1)), new XmlRpcStruct());

        Assert.That(Code(answer), Is.EqualTo(GeniCode.OUTOFRANGE));
        Assert.That(answer.AsStruct().GetString("output"), Does.Contain("provision it to keep it longer"));
    }

    [Test]
    public async Task Allocation_NotProvisionedInTime_IsGoneAndItsNodesFree()
    {
        var credentials = bed.SliceCredential("s1");
        await client.CallAsync("Allocate", bed.SliceUrn("s1"), credentials, Request, new XmlRpcStruct());

        bed.Time.Advance(bed.Options.AllocationLifetime + TimeSpan.FromSeconds(1));

        Assert.That(Code(await client.CallAsync("Status", new XmlRpcArray(bed.SliceUrn("s1")), credentials, new XmlRpcStruct())), Is.EqualTo(GeniCode.SEARCHFAILED));
        Assert.That(Code(await client.CallAsync("Allocate", bed.SliceUrn("s2"), bed.SliceCredential("s2"), Request, new XmlRpcStruct())), Is.EqualTo(GeniCode.SUCCESS));
    }

    [Test]
    public async Task ProvisionedSliver_Expired_IsReleasedByTheAggregateWithoutACall()
    {
        await ProvisionedAsync("s1");

        bed.Time.Advance(bed.Options.SliverLifetime + bed.Options.ExpiryScanInterval);

        Assert.That(bed.Provisioner.Released, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(Directory.EnumerateFiles(bed.StateDirectory), Is.Empty);
    }

    [Test]
    public async Task Allocate_WithEndTime_AllocationExpiresThen()
    {
        var end = AmApiV3Dispatcher.Rfc3339(bed.Time.GetUtcNow().AddMinutes(5));

        var allocated = ValueStruct(await client.CallAsync("Allocate", bed.SliceUrn("s1"), bed.SliceCredential("s1"), Request, new XmlRpcStruct { { "geni_end_time", end } }));

        Assert.That(allocated.GetArray("geni_slivers").Select(s => s.AsStruct().GetString("geni_expires")), Is.All.EqualTo(end));
    }

    [Test]
    public async Task Provision_ProvisionerFails_ServerErrorAndSliversStayAllocated()
    {
        var slice = bed.SliceUrn("s1");
        var credentials = bed.SliceCredential("s1");
        await client.CallAsync("Allocate", slice, credentials, Request, new XmlRpcStruct());
        bed.Provisioner.Failure = new IOException("no Docker daemon at /var/run/docker.sock");

        var answer = (await client.CallAsync("Provision", new XmlRpcArray(slice), credentials, new XmlRpcStruct())).AsStruct();

        Assert.That(Code(answer), Is.EqualTo(GeniCode.SERVERERROR));
        Assert.That(answer.GetString("output"), Does.Contain("no Docker daemon"));
        var status = ValueStruct(await client.CallAsync("Status", new XmlRpcArray(slice), credentials, new XmlRpcStruct()));
        Assert.That(States(status.GetArray("geni_slivers")), Is.All.EqualTo(("geni_allocated", "geni_pending_allocation")));
    }

    [Test]
    public async Task Shutdown_Slice_StopsItsNodesAndRefusesMoreButDelete()
    {
        var (slice, credentials) = await ProvisionedAsync("s1");
        await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct());

        var shutdown = await client.CallAsync("Shutdown", slice, credentials, new XmlRpcStruct());

        Assert.That(Value(shutdown).AsBoolean(), Is.True);
        Assert.That(bed.Provisioner.Stopped, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(Code(await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct())), Is.EqualTo(GeniCode.UNAVAILABLE));
        Assert.That(Code(await client.CallAsync("Delete", new XmlRpcArray(slice), credentials, new XmlRpcStruct())), Is.EqualTo(GeniCode.SUCCESS));
    }

    [Test]
    public async Task Describe_SliverUrn_DescribesThatSliverOnly()
    {
        var slice = bed.SliceUrn("s1");
        var credentials = bed.SliceCredential("s1");
        var allocated = ValueStruct(await client.CallAsync("Allocate", slice, credentials, Request, new XmlRpcStruct()));
        var sliver = allocated.GetArray("geni_slivers")[0].AsStruct().GetString("geni_sliver_urn");

        var described = ValueStruct(await client.CallAsync("Describe", new XmlRpcArray(sliver), credentials, AggregateTestBed.RspecVersion));

        Assert.That(described.GetString("geni_urn"), Is.EqualTo(slice));
        Assert.That(XDocument.Parse(described.GetString("geni_rspec")).Root!.Elements(Rspec3 + "node").Select(n => (string?)n.Attribute("sliver_id")), Is.EqualTo(new[] { sliver }));
    }

    [Test]
    public async Task Restart_SliversInTheStateDirectory_AreFoundAgain()
    {
        var (slice, _) = await ProvisionedAsync("s1");

        await using var restarted = bed.NewManager();
        await restarted.StartAsync(CancellationToken.None);
        var status = await restarted.StatusAsync([slice], CancellationToken.None);
        var described = await restarted.DescribeAsync([slice], CancellationToken.None);

        Assert.That(status.Slivers.Select(s => (s.AllocationStatus, s.OperationalStatus)), Is.All.EqualTo(("geni_provisioned", "geni_notready")));
        Assert.That(described.Manifest, Does.Contain("<login authentication=\"ssh-keys\" hostname=\"127.0.0.1\""));
    }

    [Test]
    public async Task Status_NodeGoneFromTheProvisioner_FailedSayingWhy()
    {
        var (slice, _) = await ProvisionedAsync("s1");
        bed.Provisioner.Conditions["a"] = NodeCondition.Gone;

        var status = await bed.Manager.StatusAsync([slice], CancellationToken.None);

        var failed = status.Slivers.Single(s => s.OperationalStatus == OperationalStatus.Failed);
        Assert.That(failed.Error, Does.StartWith("a is gone"));
        Assert.That(status.Slivers.Count(s => s.OperationalStatus == OperationalStatus.NotReady), Is.EqualTo(1));
    }

    [Test]
    public async Task Status_ReadyNodeThatStopped_Failed()
    {
        var (slice, credentials) = await ProvisionedAsync("s1");
        Value(await client.CallAsync("PerformOperationalAction", new XmlRpcArray(slice), credentials, "geni_start", new XmlRpcStruct()));
        bed.Provisioner.Conditions["b"] = NodeCondition.Stopped;

        var status = await bed.Manager.StatusAsync([slice], CancellationToken.None);

        Assert.That(status.Slivers.Select(s => s.OperationalStatus), Is.EquivalentTo(new[] { OperationalStatus.Ready, OperationalStatus.Failed }));
    }

    [Test]
    public async Task Restart_SliversThatExpiredMeanwhile_AreReleasedAndForgotten()
    {
        var (slice, _) = await ProvisionedAsync("s1");
        await bed.Manager.DisposeAsync();
        bed.Time.Advance(bed.Options.SliverLifetime + TimeSpan.FromMinutes(1));

        await using var restarted = bed.NewManager();
        await restarted.StartAsync(CancellationToken.None);

        Assert.That(bed.Provisioner.Released, Is.EquivalentTo(new[] { "a", "b" }));
        Assert.That(Directory.EnumerateFiles(bed.StateDirectory), Is.Empty);
        var e = Assert.ThrowsAsync<AggregateRefusalException>(() => restarted.StatusAsync([slice], CancellationToken.None))!;
        Assert.That(e.Code, Is.EqualTo(GeniCode.SEARCHFAILED));
    }

    [Test]
    public async Task Restart_UnreadableStateFile_IsSetAside()
    {
        await ProvisionedAsync("s1");
        var file = Directory.EnumerateFiles(bed.StateDirectory).Single();
        await File.WriteAllTextAsync(file, "{ not json");

        await using var restarted = bed.NewManager();
        await restarted.StartAsync(CancellationToken.None);

        Assert.That(File.Exists(file + ".bad"), Is.True);
    }

    private async Task<(string Slice, XmlRpcArray Credentials)> ProvisionedAsync(string name)
    {
        var slice = bed.SliceUrn(name);
        var credentials = bed.SliceCredential(name);
        Value(await client.CallAsync("Allocate", slice, credentials, Request, new XmlRpcStruct()));
        Value(await client.CallAsync("Provision", new XmlRpcArray(slice), credentials, new XmlRpcStruct()));
        return (slice, credentials);
    }


    private static GeniCode Code(XmlRpcValue answer) => (GeniCode)answer.AsStruct().GetStruct("code").GetInt("geni_code");

    /// <summary>The value of a successful answer; a refusal fails the test with its output.</summary>
    private static XmlRpcValue Value(XmlRpcValue answer)
    {
        var result = answer.AsStruct();
        Assert.That(Code(result), Is.EqualTo(GeniCode.SUCCESS), () => result.GetString("output"));
        return result["value"];
    }

    private static XmlRpcStruct ValueStruct(XmlRpcValue answer) => Value(answer).AsStruct();

    private static IEnumerable<(string, string)> States(IReadOnlyList<XmlRpcValue> slivers)
        => slivers.Select(s => s.AsStruct()).Select(s => (s.GetString("geni_allocation_status"), s.GetString("geni_operational_status")));

    private static IEnumerable<(string, string)> States(XmlRpcValue slivers) => States(slivers.AsArray());
}
