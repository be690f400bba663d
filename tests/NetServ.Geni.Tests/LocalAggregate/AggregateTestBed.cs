using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.LocalAggregate;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.Identity;
using NetServ.Geni.Tests.XmlRpc;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.LocalAggregate;

/// <summary>
/// A local aggregate (<see cref="AggregateHost"/>) at 127.0.0.1 over HTTPS, its trust directory that of
/// a local authority made by <see cref="LocalAuthorityMaker"/>, with alice's
/// CloudLab-layout identity as the client, a fake provisioner and a fake clock.
/// </summary>
internal sealed class AggregateTestBed : IAsyncDisposable
{
    public const string Passphrase = "netserv-test";

    private readonly string directory;
    private readonly X509Certificate2 serverCertificate;
    private AggregateHost? host;

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

    /// <summary>Another user of the authority: a certificate with its private key.</summary>
    public X509Certificate2 User(string name)
    {
        using var key = RSA.Create(2048);
        using var certificate = Authority.IssueUserCertificate(name, key);
        return certificate.CopyWithPrivateKey(key);
    }

    public XmlRpcArray SliceCredential(string sliceName) => Credentials(Authority.IssueSliceCredential(Alice.Certificate, sliceName));

    public XmlRpcArray UserCredential() => Credentials(File.ReadAllText(Files.UserCredential("alice")));

    public static XmlRpcArray Credentials(params string[] documents)
        => new([.. documents.Select(d => (XmlRpcValue)new XmlRpcStruct { { "geni_type", "geni_sfa" }, { "geni_version", "3" }, { "geni_value", d } })]);

    public static XmlRpcStruct RspecVersion => new() { { "geni_rspec_version", new XmlRpcStruct { { "type", "GENI" }, { "version", "3" } } } };

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        Authority.Dispose();
        Alice.Dispose();
        Roots.Dispose();
        serverCertificate.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private async Task StartServerAsync(int nodeCount)
    {
        Options = new AggregateOptions { NodeCount = nodeCount, StateDirectory = StateDirectory, TrustDirectory = Files.TrustedRoots };
        host = await AggregateHost.StartAsync(Options, new IPEndPoint(IPAddress.Loopback, 0), serverCertificate, Provisioner, Time, authority: Authority);
        Manager = host.Manager;
        Address = host.Address;
    }
}
