using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.AmApi;
using NetServ.Geni.XmlRpc;

using NetServ.Geni.Tests.XmlRpc;

namespace NetServ.Geni.Tests.AmApi;

/// <summary>
/// The client's lifecycle against an <see cref="XmlRpcServer"/> on Kestrel over HTTPS with a client
/// certificate, the server answering each AM API method with a canned v3 return struct.
/// </summary>
[NonParallelizable]
public sealed class AmApiLoopbackTests
{
    private const string Slice = "urn:publicid:IDN+emulab.net:netserv+slice+exp1";
    private const string Sliver = "urn:publicid:IDN+127.0.0.1+sliver+1";
    private const string Manifest = """
        <rspec xmlns="http://www.geni.net/resources/rspec/3" type="manifest">
          <node client_id="router" sliver_id="urn:publicid:IDN+127.0.0.1+sliver+1">
            <interface client_id="router:if0"><ip address="198.18.1.1" netmask="255.255.255.0"/></interface>
            <services><login authentication="ssh-keys" hostname="127.0.0.1" port="2201" username="alice"/></services>
          </node>
        </rspec>
        """;

    private static readonly AmCredential[] Credentials = [AmCredential.Sfa("<signed-credential/>")];

    private readonly List<string> calls = [];
    private X509Certificate2 clientCertificate = null!;
    private HttpsXmlRpcHost host = null!;
    private int statusCalls;

    [OneTimeSetUp]
    public async Task StartAggregate()
    {
        clientCertificate = TestCertificates.Make("CN=alice", serverAuth: false);
        var server = new XmlRpcServer()
            .Register("GetVersion", (call, _) => Answer(call, new XmlRpcStruct
            {
                { "geni_api", 3 },
                { "geni_api_versions", new XmlRpcStruct { { "3", host.BaseAddress.ToString() } } },
                { "geni_request_rspec_versions", new XmlRpcArray(new XmlRpcStruct { { "type", "GENI" }, { "version", "3" } }) },
                { "geni_ad_rspec_versions", new XmlRpcArray(new XmlRpcStruct { { "type", "GENI" }, { "version", "3" } }) },
                { "geni_single_allocation", false },
                { "geni_allocate", "geni_single" },
            }))
            .Register("Allocate", (call, _) => Answer(call, ManifestValue("geni_allocated", "geni_pending_allocation")))
            .Register("Provision", (call, _) => Answer(call, ManifestValue("geni_provisioned", "geni_notready")))
            .Register("PerformOperationalAction", (call, _) => Answer(call, new XmlRpcArray(SliverValue("geni_provisioned", "geni_configuring"))))
            .Register("Status", (call, _) => Answer(call, new XmlRpcStruct
            {
                { "geni_urn", Slice },
                { "geni_slivers", new XmlRpcArray(SliverValue("geni_provisioned", ++statusCalls < 3 ? "geni_configuring" : "geni_ready")) },
            }))
            .Register("Delete", (call, _) => Answer(call, new XmlRpcArray(SliverValue("geni_unallocated", null))))
            .Register("Describe", (call, _) => Task.FromResult<XmlRpcValue>(new XmlRpcStruct
            {
                { "code", new XmlRpcStruct { { "geni_code", 12 }, { "am_type", "netserv" } } },
                { "value", 0 },
                { "output", $"no slice {Slice} here" },
            }));
        host = await HttpsXmlRpcHost.StartAsync(server);
    }

    [OneTimeTearDown]
    public async Task StopAggregate()
    {
        await host.DisposeAsync();
        clientCertificate.Dispose();
    }

    [Test]
    public async Task Lifecycle_OverHttpsWithClientCertificate_ReachesReadyAndDeletes()
    {
        using var http = new HttpClient(host.Handler(clientCertificate));
        var client = new AmApiClient(new XmlRpcClient(http, new Uri(host.BaseAddress, "/RPC2")), Aggregates.Resolve($"local:{host.BaseAddress.Port}"));

        var version = await client.GetVersionAsync();
        var allocated = await client.AllocateAsync(Slice, Credentials, "<rspec type=\"request\"/>");
        var provisioned = await client.ProvisionAsync([Slice], Credentials, [new AmUser("urn:publicid:IDN+emulab.net+user+alice", ["ssh-ed25519 AAAA alice"])]);
        await client.PerformOperationalActionAsync([Slice], Credentials, OperationalAction.Start);
        Assert.That(provisioned.TryReadManifest(out var manifest, out var error), Is.True, error?.ToString());
        var ready = await new StatusPoller().WaitUntilReadyAsync(client, [Slice], Credentials, new StatusPollerOptions { Interval = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(30) }, manifest);
        var deleted = await client.DeleteAsync([Slice], Credentials);

        Assert.That(version.Api, Is.EqualTo(3));
        Assert.That(allocated.Slivers.Single().Allocation, Is.EqualTo(AllocationState.Allocated));
        Assert.That(manifest!.Nodes.Single().Logins.Single().ToString(), Is.EqualTo("alice@127.0.0.1:2201"));
        Assert.That(manifest.Nodes.Single().Interfaces.Single().Ips.Single().ToString(), Is.EqualTo("198.18.1.1/24"));
        Assert.That(ready.Outcome, Is.EqualTo(SliceReadiness.Ready), ready.Describe());
        Assert.That(deleted.Single().Allocation, Is.EqualTo(AllocationState.Unallocated));
        Assert.That(calls.Distinct(), Is.EqualTo(new[] { "GetVersion CN=alice", "Allocate CN=alice", "Provision CN=alice", "PerformOperationalAction CN=alice", "Status CN=alice", "Delete CN=alice" }));
    }

    [Test]
    public void Describe_DeletedSlice_ThrowsSearchFailedNamingTheLocalAggregate()
    {
        using var http = new HttpClient(host.Handler(clientCertificate));
        var client = new AmApiClient(new XmlRpcClient(http, host.BaseAddress), Aggregates.Resolve($"local:{host.BaseAddress.Port}"), new FakeTimeProvider());

        var e = Assert.ThrowsAsync<AmApiException>(() => client.DescribeAsync([Slice], Credentials))!;

        Assert.That(e.Code, Is.EqualTo(GeniCode.SEARCHFAILED));
        Assert.That(e.Message, Does.StartWith($"Describe at local (https://127.0.0.1:{host.BaseAddress.Port}/) failed: SEARCHFAILED (12): the aggregate does not know the slice or sliver named"));
        Assert.That(e.Message, Does.Contain($"The aggregate said: no slice {Slice} here"));
    }

    [Test]
    public void GetVersion_ServerCertificateNotTrusted_ThrowsUnreachableSayingTls()
    {
        using var http = new HttpClient(XmlRpcClient.CreateHandler(clientCertificate, (_, _, _, _) => false));
        var client = new AmApiClient(new XmlRpcClient(http, host.BaseAddress));

        var e = Assert.ThrowsAsync<AmApiException>(() => client.GetVersionAsync())!;

        Assert.That(e.Failure, Is.EqualTo(AmApiFailure.Unreachable));
        Assert.That(e.Message, Does.StartWith($"GetVersion at 127.0.0.1 (https://127.0.0.1:{host.BaseAddress.Port}/) failed: the TLS handshake failed"));
        Assert.That(e.Message, Does.Contain("What to do: check that your certificate (cloudlab.pem) is current"));
    }

    [Test]
    public void GetVersion_WithoutClientCertificate_ThrowsUnreachableSayingTheCertificateWasRefused()
    {
        using var http = new HttpClient(host.Handler(null));
        var client = new AmApiClient(new XmlRpcClient(http, host.BaseAddress));

        var e = Assert.ThrowsAsync<AmApiException>(() => client.GetVersionAsync())!;

        Assert.That(e.Failure, Is.EqualTo(AmApiFailure.Unreachable));
        Assert.That(e.Message, Does.Contain("failed: the aggregate closed the connection without answering, which is how it refuses a client certificate it does not accept."));
        Assert.That(e.Message, Does.Contain("What to do: check that you use your current certificate"));
    }

    private Task<XmlRpcValue> Answer(XmlRpcCallContext call, XmlRpcValue value)
    {
        lock (calls)
        {
            calls.Add($"{call.MethodName} {call.ClientCertificate?.Subject}");
        }

        return Task.FromResult<XmlRpcValue>(new XmlRpcStruct
        {
            { "code", new XmlRpcStruct { { "geni_code", 0 }, { "am_type", "netserv" } } },
            { "value", value },
            { "output", "" },
        });
    }

    private static XmlRpcStruct ManifestValue(string allocation, string operational) => new()
    {
        { "geni_rspec", Manifest },
        { "geni_slivers", new XmlRpcArray(SliverValue(allocation, operational)) },
    };

    private static XmlRpcStruct SliverValue(string allocation, string? operational)
    {
        var sliver = new XmlRpcStruct
        {
            { "geni_sliver_urn", Sliver },
            { "geni_allocation_status", allocation },
            { "geni_expires", "2026-12-06T14:00:00Z" },
        };
        if (operational is not null)
        {
            sliver.Add("geni_operational_status", operational);
        }

        return sliver;
    }
}
