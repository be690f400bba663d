using System.Net;
using System.Net.Sockets;
using System.Text;
using NetServ.Testbed.Http;

namespace NetServ.Testbed.Tests.Http;

/// <summary>The forward proxy on loopback, in front of a <see cref="PackageServer"/> on loopback as the origin.</summary>
[TestFixture]
public sealed class ForwardProxyTests
{
    private string _folder = null!;
    private PackageServer _origin = null!;
    private ForwardProxy _proxy = null!;

    [SetUp]
    public void Start()
    {
        _folder = Directory.CreateTempSubdirectory("netserv-proxy-test-").FullName;
        File.WriteAllText(Path.Combine(_folder, "Release"), "Origin: Debian\n");
        _origin = PackageServer.Start(_folder, IPAddress.Loopback);
        _proxy = ForwardProxy.Start(IPAddress.Loopback);
    }

    [TearDown]
    public async Task Stop()
    {
        await _proxy.DisposeAsync();
        await _origin.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Test]
    public async Task Get_ThroughTheProxy_ReturnsTheOriginsBodyAndCountsIt()
    {
        using var client = new HttpClient(new HttpClientHandler { Proxy = new WebProxy(_proxy.Url), UseProxy = true });

        var body = await client.GetStringAsync(_origin.UrlOf("Release"));

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo("Origin: Debian\n"));
            Assert.That(_proxy.Forwarded, Is.EqualTo(1));
            Assert.That(_origin.Requests, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Connect_IsAnswered405AndNothingReachesTheOrigin()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_proxy.EndPoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {_origin.EndPoint} HTTP/1.1\r\nHost: {_origin.EndPoint}\r\n\r\n"));

        var answer = await ReadToEndAsync(socket);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Does.StartWith("HTTP/1.1 405 "));
            Assert.That(answer, Does.Contain("opens no tunnels"));
            Assert.That(_proxy.Refused, Is.EqualTo(1));
            Assert.That(_origin.Requests, Is.Zero);
        });
    }

    [Test]
    public void AptConfiguration_NamesTheProxysUrl() =>
        Assert.That(_proxy.AptConfiguration, Is.EqualTo($"Acquire::http::Proxy \"http://127.0.0.1:{_proxy.EndPoint.Port}/\";\n"));

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
