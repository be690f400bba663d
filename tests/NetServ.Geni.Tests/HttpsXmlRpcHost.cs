using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests;

/// <summary>
/// An <see cref="XmlRpcServer"/> on real Kestrel at 127.0.0.1 (a free port), HTTPS with a
/// self-signed server certificate, requiring a client certificate (any the client proves it holds).
/// </summary>
internal sealed class HttpsXmlRpcHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private HttpsXmlRpcHost(WebApplication app, X509Certificate2 serverCertificate, Uri baseAddress)
    {
        this.app = app;
        ServerCertificate = serverCertificate;
        BaseAddress = baseAddress;
    }

    public X509Certificate2 ServerCertificate { get; }

    public Uri BaseAddress { get; }

    public static async Task<HttpsXmlRpcHost> StartAsync(XmlRpcServer server)
    {
        var serverCertificate = XmlRpc.TestCertificates.Make("CN=127.0.0.1", serverAuth: true);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            // Trust is the aggregate's business; here any certificate the client proves it holds.
            ClientCertificateValidation = (_, _, _) => true,
        })));
        var app = builder.Build();
        app.MapXmlRpc(server);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new HttpsXmlRpcHost(app, serverCertificate, new Uri(address));
    }

    /// <summary>A handler that presents <paramref name="clientCertificate"/> and trusts this host's certificate only.</summary>
    public SocketsHttpHandler Handler(X509Certificate2? clientCertificate)
        => XmlRpcClient.CreateHandler(clientCertificate, (_, presented, _, _) => presented is not null && presented.GetCertHashString() == ServerCertificate.GetCertHashString());

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        ServerCertificate.Dispose();
    }
}

/// <summary>An HTTP handler answering with a function: for answers no real server would give.</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
}
