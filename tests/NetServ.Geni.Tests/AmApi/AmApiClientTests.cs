using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using NetServ.Geni.AmApi;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Tests.AmApi;

/// <summary>The client over a stub HTTP handler: what each kind of failure becomes.</summary>
public sealed class AmApiClientTests
{
    private static readonly Aggregate Utah = Aggregates.Resolve("cloudlab-utah");
    private static readonly AmCredential[] Credentials = [AmCredential.Sfa("<signed-credential/>")];

    [Test]
    public async Task StatusAsync_Success_PostsTheCallAndReadsTheValue()
    {
        string? posted = null;
        using var http = Answering(async (request, token) =>
        {
            posted = await request.Content!.ReadAsStringAsync(token);
            return Xml("""
                <methodResponse><params><param><value><struct>
                  <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
                  <member><name>value</name><value><struct>
                    <member><name>geni_urn</name><value>urn:publicid:IDN+emulab.net:netserv+slice+exp1</value></member>
                    <member><name>geni_slivers</name><value><array><data/></array></value></member>
                  </struct></value></member>
                  <member><name>output</name><value></value></member>
                </struct></value></param></params></methodResponse>
                """);
        });

        var status = await Client(http).StatusAsync(["urn:publicid:IDN+emulab.net:netserv+slice+exp1"], Credentials);

        Assert.That(status, Is.EqualTo(new AmSliceStatus("urn:publicid:IDN+emulab.net:netserv+slice+exp1", status.Slivers)));
        Assert.That(XmlRpcReader.ReadMethodCall(posted!).MethodName, Is.EqualTo("Status"));
    }

    [Test]
    public void AllocateAsync_Refused_ThrowsWithCodeOutputAndAdvice()
    {
        using var http = Answering((_, _) => Task.FromResult(Xml("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct><member><name>geni_code</name><value><int>7</int></value></member></struct></value></member>
              <member><name>value</name><value><int>0</int></value></member>
              <member><name>output</name><value>Not enough free nodes of type d430</value></member>
            </struct></value></param></params></methodResponse>
            """)));

        var e = Assert.ThrowsAsync<AmApiException>(() => Client(http).AllocateAsync("urn:publicid:IDN+emulab.net:netserv+slice+exp1", Credentials, "<rspec/>"))!;

        Assert.That(e.Message, Is.EqualTo(string.Join(Environment.NewLine,
            "Allocate at cloudlab-utah (https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0) failed: REFUSED (7): the aggregate refused the operation, most often because the resources asked for are not free now or a policy forbids them.",
            "The aggregate said: Not enough free nodes of type d430",
            "What to do: ask for fewer or other resources (another hardware type or cluster), or try again later.")));
        Assert.That(e.Code, Is.EqualTo(GeniCode.REFUSED));
    }

    [Test]
    public void GetVersionAsync_Fault_ThrowsFaultWithTheFaultString()
    {
        using var http = Answering((_, _) => Task.FromResult(Xml("""
            <methodResponse><fault><value><struct>
              <member><name>faultCode</name><value><int>-32601</int></value></member>
              <member><name>faultString</name><value>method "GetVersion" is not supported</value></member>
            </struct></value></fault></methodResponse>
            """)));

        var e = Assert.ThrowsAsync<AmApiException>(() => Client(http).GetVersionAsync())!;

        Assert.That(e.Failure, Is.EqualTo(AmApiFailure.Fault));
        Assert.That(e.Message, Does.Contain("failed: the aggregate answered with XML-RPC fault -32601 instead of an AM API result."));
        Assert.That(e.Message, Does.Contain("The aggregate said: method \"GetVersion\" is not supported"));
        Assert.That(e.Message, Does.Contain("What to do: the URL does not look like an AM API v3 endpoint"));
    }

    [Test]
    public void GetVersionAsync_HttpError_ThrowsUnreachableNamingTheStatus()
    {
        using var http = Answering((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("no such page") }));

        var e = Assert.ThrowsAsync<AmApiException>(() => Client(http).GetVersionAsync())!;

        Assert.That(e.Failure, Is.EqualTo(AmApiFailure.Unreachable));
        Assert.That(e.Message, Does.StartWith("GetVersion at cloudlab-utah (https://www.utah.cloudlab.us:12369/protogeni/xmlrpc/am/3.0) failed: the web server answered HTTP 404 instead of the aggregate."));
        Assert.That(e.Message, Does.Contain("Detail: HTTP 404 Not Found: no such page"));
    }

    [Test]
    public void GetVersionAsync_ConnectionRefused_ThrowsUnreachableNamingTheSocketError()
    {
        using var http = Answering((_, _) => throw new HttpRequestException("Connection refused (www.utah.cloudlab.us:12369)", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));

        var e = Assert.ThrowsAsync<AmApiException>(() => Client(http).GetVersionAsync())!;

        Assert.That(e.Message, Does.Contain("failed: the aggregate could not be reached (ConnectionRefused)."));
        Assert.That(e.Message, Does.Contain("What to do: check the network and the URL's host and port"));
    }

    [Test]
    public async Task AllocateAsync_NoAnswerInTime_ThrowsUnreachableSayingSo()
    {
        var time = new FakeTimeProvider();
        using var http = Answering(async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage();
        });
        var client = new AmApiClient(new XmlRpcClient(http, Utah.Url, new XmlRpcClientOptions { Timeout = TimeSpan.FromMinutes(2) }, time), Utah, time);

        var call = client.AllocateAsync("urn:publicid:IDN+emulab.net:netserv+slice+exp1", Credentials, "<rspec/>");
        time.Advance(TimeSpan.FromMinutes(2));

        var e = Assert.ThrowsAsync<AmApiException>(async () => await call)!;
        Assert.That(e.Message, Does.Contain("failed: the aggregate did not answer in time."));
        Assert.That(e.Message, Does.Contain("Detail: no answer within 120 s"));
        await Task.CompletedTask;
    }

    [Test]
    public void StatusAsync_AnswerOfWrongShape_ThrowsMalformedNamingTheMember()
    {
        using var http = Answering((_, _) => Task.FromResult(Xml("""
            <methodResponse><params><param><value><struct>
              <member><name>code</name><value><struct><member><name>geni_code</name><value><int>0</int></value></member></struct></value></member>
              <member><name>value</name><value><struct><member><name>geni_slivers</name><value><array><data/></array></value></member></struct></value></member>
            </struct></value></param></params></methodResponse>
            """)));

        var e = Assert.ThrowsAsync<AmApiException>(() => Client(http).StatusAsync(["urn:x"], Credentials))!;

        Assert.That(e.Failure, Is.EqualTo(AmApiFailure.Malformed));
        Assert.That(e.Message, Does.Contain("failed: the answer is not an AM API v3 result (the struct has no member \"geni_urn\""));
    }

    [Test]
    public void GetVersionAsync_NotXmlRpc_ThrowsMalformed()
    {
        using var http = Answering((_, _) => Task.FromResult(Xml("<html><body>It works!</body></html>")));

        var e = Assert.ThrowsAsync<AmApiException>(() => Client(http).GetVersionAsync())!;

        Assert.That(e.Failure, Is.EqualTo(AmApiFailure.Malformed));
        Assert.That(e.Message, Does.Not.Contain("   at "));
    }

    private static HttpClient Answering(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) => new(new StubHandler(answer));

    private static AmApiClient Client(HttpClient http) => new(new XmlRpcClient(http, Utah.Url), Utah);

    private static HttpResponseMessage Xml(string document) => new() { Content = new StringContent(document, Encoding.UTF8, "text/xml") };
}
