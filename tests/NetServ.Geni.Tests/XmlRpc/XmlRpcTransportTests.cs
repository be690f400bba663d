using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.Identity;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.XmlRpc;

/// <summary>The client against the server over real Kestrel on 127.0.0.1, HTTPS with client certificates.</summary>
[NonParallelizable]
public sealed class XmlRpcTransportTests
{
    private X509Certificate2 clientCertificate = null!;
    private HttpsXmlRpcHost host = null!;
    private Uri baseAddress = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        clientCertificate = TestCertificates.Make("CN=alice", serverAuth: false);
        var server = new XmlRpcServer()
            .Register("echo", (call, _) => Task.FromResult<XmlRpcValue>(new XmlRpcArray(call.Parameters)))
            .Register("whoami", (call, _) => Task.FromResult<XmlRpcValue>(
                call.ClientCertificate is { } c ? GeniIdentity.UserUrnOf(c) ?? c.Subject : XmlRpcNil.Instance))
            .Register("refuse", (_, _) => throw new XmlRpcFaultException(3, "forbidden"))
            .Register("crash", (_, _) => throw new InvalidOperationException("secret detail"))
            .Register("typed", (call, _) => Task.FromResult<XmlRpcValue>(call.Parameters[0].AsStruct().GetInt("n")));
        host = await HttpsXmlRpcHost.StartAsync(server);
        baseAddress = host.BaseAddress;
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await host.DisposeAsync();
        clientCertificate.Dispose();
    }

    [TestCase("/RPC2")]
    [TestCase("/protogeni/xmlrpc/am/3.0")]
    [TestCase("/")]
    public async Task CallAsync_AnyPath_GetsTheAnswer(string path)
    {
        using var http = new HttpClient(Handler(clientCertificate));
        var client = new XmlRpcClient(http, new Uri(baseAddress, path));

        var answer = await client.CallAsync("echo", 1, "two", new XmlRpcStruct { { "three", 3.0 } });

        Assert.That(answer, Is.EqualTo(new XmlRpcArray(1, "two", new XmlRpcStruct { { "three", 3.0 } })));
    }

    [Test]
    public async Task CallAsync_WithCloudLabIdentity_HandlerSeesTheUserUrn()
    {
        using var identity = GeniIdentity.LoadFile(Path.Combine(TestContext.CurrentContext.TestDirectory, "Identity", "Fixtures", "cloudlab.pem"), PassphraseSource.FromValue("netserv-test"));
        using var http = new HttpClient(Handler(identity.Certificate));
        var client = new XmlRpcClient(http, new Uri(baseAddress, "/RPC2"));

        var answer = await client.CallAsync("whoami");

        Assert.That(answer.AsString(), Is.EqualTo("urn:publicid:IDN+emulab.net+user+alice"));
    }

    [Test]
    public void CallAsync_UnknownMethod_ThrowsFaultMethodNotFound()
    {
        var client = Client(out var http);
        using (http)
        {
            var e = Assert.ThrowsAsync<XmlRpcFaultException>(() => client.CallAsync("nothing"))!;

            Assert.That(e.Code, Is.EqualTo(XmlRpcFault.MethodNotFound));
            Assert.That(e.Method, Is.EqualTo("nothing"));
        }
    }

    [Test]
    public void CallAsync_HandlerFault_ThrowsThatFault()
    {
        var client = Client(out var http);
        using (http)
        {
            var e = Assert.ThrowsAsync<XmlRpcFaultException>(() => client.CallAsync("refuse"))!;

            Assert.That((e.Code, e.FaultString), Is.EqualTo((3, "forbidden")));
        }
    }

    [Test]
    public void CallAsync_HandlerCrash_ThrowsInternalErrorWithoutDetail()
    {
        var client = Client(out var http);
        using (http)
        {
            var e = Assert.ThrowsAsync<XmlRpcFaultException>(() => client.CallAsync("crash"))!;

            Assert.That(e.Code, Is.EqualTo(XmlRpcFault.InternalError));
            Assert.That(e.FaultString, Does.Not.Contain("secret"));
        }
    }

    [Test]
    public void CallAsync_WrongParameterType_ThrowsInvalidParameters()
    {
        var client = Client(out var http);
        using (http)
        {
            var e = Assert.ThrowsAsync<XmlRpcFaultException>(() => client.CallAsync("typed", new XmlRpcStruct { { "n", "x" } }))!;

            Assert.That(e.Code, Is.EqualTo(XmlRpcFault.InvalidParameters));
            Assert.That(e.FaultString, Does.Contain("member \"n\": expected int"));
        }
    }

    [Test]
    public async Task Post_MalformedCall_AnswersParseErrorFault()
    {
        using var http = new HttpClient(Handler(clientCertificate));

        using var response = await http.PostAsync(new Uri(baseAddress, "/RPC2"), new StringContent("<methodCall><methodName>echo</methodName><params><param>", Encoding.UTF8, "text/xml"));
        var answer = XmlRpcReader.ReadMethodResponse(await response.Content.ReadAsByteArrayAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answer, Is.TypeOf<XmlRpcFault>().And.Property("Code").EqualTo(XmlRpcFault.ParseError));
    }

    [Test]
    public void CallAsync_WithoutClientCertificate_ThrowsTransportException()
    {
        using var http = new HttpClient(Handler(null));
        var client = new XmlRpcClient(http, new Uri(baseAddress, "/RPC2"));

        Assert.ThrowsAsync<XmlRpcTransportException>(() => client.CallAsync("echo"));
    }

    [Test]
    public void CallAsync_UntrustedServer_ThrowsTransportExceptionNamingTls()
    {
        using var http = new HttpClient(XmlRpcClient.CreateHandler(clientCertificate, (_, _, _, _) => false));
        var client = new XmlRpcClient(http, new Uri(baseAddress, "/RPC2"));

        var e = Assert.ThrowsAsync<XmlRpcTransportException>(() => client.CallAsync("echo"))!;

        Assert.That(e.Message, Does.StartWith("echo at https://127.0.0.1:").And.Contain("TLS"));
    }

    [Test]
    public void CallAsync_HttpError_ThrowsTransportExceptionWithStatus()
    {
        using var http = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("proxy down") })));
        var client = new XmlRpcClient(http, new Uri("https://am.example.org/RPC2"));

        var e = Assert.ThrowsAsync<XmlRpcTransportException>(() => client.CallAsync("GetVersion"))!;

        Assert.That(e.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
        Assert.That(e.Message, Is.EqualTo("GetVersion at https://am.example.org/RPC2: HTTP 502 Bad Gateway: proxy down"));
    }

    [Test]
    public async Task CallAsync_NoAnswerWithinTimeout_ThrowsTransportException()
    {
        var time = new FakeTimeProvider();
        using var http = new HttpClient(new StubHandler(async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage();
        }));
        var client = new XmlRpcClient(http, new Uri("https://am.example.org/RPC2"), new XmlRpcClientOptions { Timeout = TimeSpan.FromSeconds(30) }, time);

        var call = client.CallAsync("Allocate");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.That(call.IsCompleted, Is.False);
        time.Advance(TimeSpan.FromSeconds(1));

        var e = Assert.ThrowsAsync<XmlRpcTransportException>(async () => await call)!;
        Assert.That(e.Message, Is.EqualTo("Allocate at https://am.example.org/RPC2: no answer within 30 s"));
        await Task.CompletedTask;
    }

    [Test]
    public void CallAsync_MalformedAnswer_ThrowsFormatException()
    {
        using var http = new HttpClient(new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage { Content = new StringContent("<html>oops</html>") })));
        var client = new XmlRpcClient(http, new Uri("https://am.example.org/RPC2"));

        Assert.ThrowsAsync<XmlRpcFormatException>(() => client.CallAsync("GetVersion"));
    }

    private XmlRpcClient Client(out HttpClient http)
    {
        http = new HttpClient(Handler(clientCertificate));
        return new XmlRpcClient(http, new Uri(baseAddress, "/RPC2"));
    }

    private SocketsHttpHandler Handler(X509Certificate2? certificate) => host.Handler(certificate);
}
