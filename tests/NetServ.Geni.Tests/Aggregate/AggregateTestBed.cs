using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.Aggregate;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;
using NetServ.Geni.Tests.XmlRpc;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.Aggregate;

/// <summary>
/// A local aggregate on Kestrel at 127.0.0.1 over HTTPS that requires client certificates chaining to
/// the trust directory of a local authority made by <see cref="LocalAuthorityMaker"/>, with alice's
/// CloudLab-layout identity as the client, a fake provisioner and a fake clock.
/// </summary>
internal sealed class AggregateTestBed : IAsyncDisposable
{
    public const string Passphrase = "netserv-test";

    private readonly string directory;
    private readonly X509Certificate2 serverCertificate;
    private WebApplication? app;

    private AggregateTestBed(string directory, LocalAuthorityFiles files, FakeTimeProvider time)
    {
        this.directory = directory;
        Files = files;
        Time = time;
        Authority = files.Load(time);
        Alice = GeniIdentity.LoadFile(files.UserPem("alice"), PassphraseSource.FromValue(Passphrase));
        Roots = TrustRoots.LoadDirectory(files.TrustedRoots);
        serverCertificate = TestCertificates.Make("CN=127.0.0.1", serverAuth: true);
    }

    public LocalAuthorityFiles Files { get; }

    public FakeTimeProvider Time { get; }

    public LocalAuthority Authority { get; }

    public GeniIdentity Alice { get; }

    public TrustRoots Roots { get; }

    public FakeSliverProvisioner Provisioner { get; } = new();

    public AggregateManager Manager { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    public string StateDirectory => Path.Combine(directory, "state");

    public AggregateOptions Options { get; private set; } = null!;

    public static async Task<AggregateTestBed> StartAsync(int nodeCount = 3)
    {
        var directory = Directory.CreateTempSubdirectory("netserv-am-").FullName;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var files = new LocalAuthorityMaker(time).Make(Path.Combine(directory, "authority"), "alice", Passphrase);
        var bed = new AggregateTestBed(directory, files, time);
        await bed.StartServerAsync(nodeCount);
        return bed;
    }

    /// <summary>An aggregate over the same state directory, as after a restart.</summary>
    public AggregateManager NewManager() => new(Options, Provisioner, Time);

    /// <summary>A client with alice's certificate (or <paramref name="certificate"/>) that trusts only the test server.</summary>
    public XmlRpcClient Client(out HttpClient http, X509Certificate2? certificate = null)
    {
        http = new HttpClient(XmlRpcClient.CreateHandler(certificate ?? Alice.Certificate, (_, presented, _, _) => presented?.GetCertHashString() == serverCertificate.GetCertHashString()));
        return new XmlRpcClient(http, new Uri(Address, "/RPC2"));
    }

    public string SliceUrn(string name) => Authority.SliceUrn(name);

    public XmlRpcArray SliceCredential(string sliceName) => Credentials(Authority.IssueSliceCredential(Alice.Certificate, sliceName));

    public XmlRpcArray UserCredential() => Credentials(File.ReadAllText(Files.UserCredential("alice")));

    public static XmlRpcArray Credentials(params string[] documents)
        => new([.. documents.Select(d => (XmlRpcValue)new XmlRpcStruct { { "geni_type", "geni_sfa" }, { "geni_version", "3" }, { "geni_value", d } })]);

    public static XmlRpcStruct RspecVersion => new() { { "geni_rspec_version", new XmlRpcStruct { { "type", "GENI" }, { "version", "3" } } } };

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        await Manager.DisposeAsync();
        Authority.Dispose();
        Alice.Dispose();
        Roots.Dispose();
        serverCertificate.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task StartServerAsync(int nodeCount)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = AggregateTls.ClientCertificateValidation(Roots, Time),
        })));
        app = builder.Build();
        Options = new AggregateOptions { NodeCount = nodeCount, StateDirectory = StateDirectory, TrustDirectory = Files.TrustedRoots };
        Manager = NewManager();
        await Manager.StartAsync(CancellationToken.None);
        app.MapXmlRpc(new AmApiV3Dispatcher(Manager, new CredentialVerifier(Roots, Time)).Register(new XmlRpcServer()));
        await app.StartAsync();
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }
}
