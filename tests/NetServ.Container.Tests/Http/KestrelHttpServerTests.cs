using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Container.Http;
using NetServ.Container.Modules;
using NetServ.Container.Packets;
using NetServ.Sdk;

namespace NetServ.Container.Tests.Http;

[TestFixture]
[NonParallelizable]
public sealed class KestrelHttpServerTests
{
    [Test]
    public void StartAsync_PortThePolicyDoesNotAllow_IsRefused()
    {
        var server = new KestrelHttpServer(NullLoggerFactory.Instance, new KestrelHttpServerOptions());
        using var context = Context(allowedPorts: [FreePort()]);

        Assert.ThrowsAsync<ModulePolicyException>(() => server.StartAsync(context, 1, _ => Task.CompletedTask, CancellationToken.None));
    }

    [Test]
    public async Task StartAsync_AllowedPort_ServesTheModulesRequestsUntilTheModuleIsRemoved()
    {
        var port = FreePort();
        var server = new KestrelHttpServer(NullLoggerFactory.Instance, new KestrelHttpServerOptions());
        using var context = Context(allowedPorts: [port]);
        await using var running = await server.StartAsync(context, port, http => http.Response.WriteAsync("from the module"), CancellationToken.None);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        var body = await client.GetStringAsync($"http://127.0.0.1:{port}/x");
        context.SignalStopping();
        await WaitUntilRefusedAsync(port);

        Assert.That(body, Is.EqualTo("from the module"));
    }

    private static ModuleContext Context(int[] allowedPorts) => new(
        "NetServ.Test_1.0.0",
        "alice",
        ModuleProperties.Empty,
        null,
        NullLoggerFactory.Instance,
        TimeProvider.System,
        new BuildingBlockRegistry(),
        new UnavailablePacketSender(),
        Path.GetTempPath(),
        allowedPorts.ToHashSet());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitUntilRefusedAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"port {port} still accepts connections after the module was removed");
    }
}
