using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetServ.Geni.Authority;
using NetServ.Geni.Credentials;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.LocalAggregate;

/// <summary>
/// The local aggregate manager running: the AM API v3 on Kestrel over HTTPS, client certificates
/// required and chained to the trust directory of <see cref="AggregateOptions.TrustDirectory"/>,
/// credentials checked against the same roots, slices found again in the state directory.
/// </summary>
public sealed class AggregateHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TrustRoots roots;

    private AggregateHost(WebApplication app, TrustRoots roots, AggregateManager manager, Uri address)
    {
        this.app = app;
        this.roots = roots;
        Manager = manager;
        Address = address;
    }

    public AggregateManager Manager { get; }

    /// <summary>Where it listens (with the port Kestrel chose when asked for port 0).</summary>
    public Uri Address { get; }

    /// <exception cref="CredentialException">The trust directory cannot be read or holds no certificate.</exception>
    /// <param name="options">What the aggregate gives, its state and trust directories.</param>
    /// <param name="endpoint">Where to listen (port 0: any free port).</param>
    /// <param name="serverCertificate">The TLS certificate, with its key.</param>
    /// <param name="provisioner">What makes the slivers.</param>
    /// <param name="time">For expiry and credentials.</param>
    /// <param name="loggers">Where the host, the aggregate and the clearinghouse log.</param>
    /// <param name="authority">
    /// The local authority, with its private key: when given, its clearinghouse (<see cref="LocalClearinghouse"/>) answers
    /// beside the aggregate, so that clients get user and slice credentials where they get slivers.
    /// </param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<AggregateHost> StartAsync(AggregateOptions options, IPEndPoint endpoint, X509Certificate2 serverCertificate, ISliverProvisioner provisioner, TimeProvider time, ILoggerFactory? loggers = null, LocalAuthority? authority = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var roots = TrustRoots.LoadDirectory(options.TrustDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggers is not null)
        {
            builder.Services.AddSingleton(loggers);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            ClientCertificateValidation = AggregateTls.ClientCertificateValidation(roots, time),
        })));
        var app = builder.Build();
        var manager = new AggregateManager(options, provisioner, time, loggers?.CreateLogger<AggregateManager>());
        try
        {
            await manager.StartAsync(cancellationToken).ConfigureAwait(false);
            var dispatcher = new AmApiV3Dispatcher(manager, new CredentialVerifier(roots, time), loggers?.CreateLogger<AmApiV3Dispatcher>());
            var server = dispatcher.Register(new XmlRpcServer(loggers?.CreateLogger<XmlRpcServer>()));
            if (authority is not null)
            {
                new LocalClearinghouse(authority, Path.Combine(options.StateDirectory, "slice-authority"), time, logger: loggers?.CreateLogger<LocalClearinghouse>()).Register(server);
            }

            app.MapXmlRpc(server);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await manager.DisposeAsync().ConfigureAwait(false);
            roots.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AggregateHost(app, roots, manager, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync().ConfigureAwait(false);
        await Manager.DisposeAsync().ConfigureAwait(false);
        roots.Dispose();
    }
}
