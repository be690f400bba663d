using System.Text;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Nslp;

[TestFixture]
public sealed class NslpCodecTests
{
    /// <summary>The SETUP message of the paper's Figure 4.</summary>
    internal const string Figure4 =
        "SETUP NetServ.apps.NetMonitor_1.0.0 NETSERV/0.1\n" +
        "dependencies:\n" +
        "filter-port:5060\n" +
        "filter-proto:udp\n" +
        "notification:\n" +
        "properties:visualizer_ip=1.2.3.4,visualizer_port=5678\n" +
        "ttl:3600\n" +
        "user:janedoe\n" +
        "url:http://content-provider.com/modules/netmonitor.jar\n" +
        "signature:4Z+HvDEm2WhHJrg9UKovwmbsA71FTMFykVa0Y\\xGclG8o=\n" +
        "\n";

    [TestCase("\n")]
    [TestCase("\r\n")]
    public void TryParse_Figure4Setup_ReadsStartLineAndHeadersInOrder(string lineEnd)
    {
        var bytes = Encoding.UTF8.GetBytes(Figure4.Replace("\n", lineEnd, StringComparison.Ordinal));

        var status = NslpCodec.TryParse(bytes, out var consumed, out var message, out var error);

        Assert.That(status, Is.EqualTo(NslpParseStatus.Complete), error);
        var request = (NslpRequest)message!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(consumed, Is.EqualTo(bytes.Length));
            Assert.That(request.Method, Is.EqualTo(NslpMethod.Setup));
            Assert.That(request.Target, Is.EqualTo("NetServ.apps.NetMonitor_1.0.0"));
            Assert.That(request.Version, Is.EqualTo("NETSERV/0.1"));
            Assert.That(request.Headers.Select(h => h.Key), Is.EqualTo(new[]
            {
                "dependencies", "filter-port", "filter-proto", "notification", "properties", "ttl", "user", "url", "signature",
            }));
            Assert.That(request.Headers["dependencies"], Is.EqualTo(string.Empty));
            Assert.That(request.Headers["filter-port"], Is.EqualTo("5060"));
            Assert.That(request.Headers["properties"], Is.EqualTo("visualizer_ip=1.2.3.4,visualizer_port=5678"));
            Assert.That(request.Headers["url"], Is.EqualTo("http://content-provider.com/modules/netmonitor.jar"));
            Assert.That(request.Headers["signature"], Is.EqualTo("4Z+HvDEm2WhHJrg9UKovwmbsA71FTMFykVa0Y\\xGclG8o="));
            Assert.That(request.Body.IsEmpty, Is.True);
        }
    }

    [Test]
    public void EncodeThenTryParse_Figure4Setup_GivesTheSameMessage()
    {
        NslpCodec.TryParse(Encoding.UTF8.GetBytes(Figure4), out _, out var original, out _);

        var encoded = NslpCodec.Encode(original!);
        var parsed = NslpCodec.TryParseWhole(encoded, out var again, out var error);

        Assert.That(parsed, Is.True, error);
        var request = (NslpRequest)again!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.Method, Is.EqualTo(NslpMethod.Setup));
            Assert.That(request.Target, Is.EqualTo(((NslpRequest)original!).Target));
            Assert.That(request.Headers, Is.EqualTo(original!.Headers));
            Assert.That(Encoding.UTF8.GetString(encoded), Does.StartWith("SETUP NetServ.apps.NetMonitor_1.0.0 NETSERV/0.1\r\n").And.EndWith("\r\n\r\n"));
        }
    }

    [TestCase(NslpMethod.Setup, "SETUP")]
    [TestCase(NslpMethod.Remove, "REMOVE")]
    [TestCase(NslpMethod.Probe, "PROBE")]
    [TestCase(NslpMethod.Trigger, "TRIGGER")]
    public void EncodeThenTryParse_EveryMethod_RoundTrips(NslpMethod method, string spelling)
    {
        var request = new NslpRequest(method, "NetServ.Apps.X_1.0.0");
        request.Headers.Add("User", "alice");

        var encoded = NslpCodec.Encode(request);
        Assert.That(NslpCodec.TryParseWhole(encoded, out var parsed, out var error), Is.True, error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Encoding.UTF8.GetString(encoded), Does.StartWith($"{spelling} NetServ.Apps.X_1.0.0 NETSERV/0.1\r\nuser:alice\r\n"));
            Assert.That(((NslpRequest)parsed!).Method, Is.EqualTo(method));
            Assert.That(parsed!.Headers["USER"], Is.EqualTo("alice"), "names are case-insensitive");
        }
    }

    [Test]
    public void EncodeThenTryParse_ResponseWithBody_RoundTripsBodyAndContentLength()
    {
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.ContentType, "application/json");
        response.Headers.Add(NslpHeaderNames.Node, "router-1");
        response.Body = Encoding.UTF8.GetBytes("{\"modules\":[]}\r\n\r\nSETUP x NETSERV/0.1\r\n");

        var encoded = NslpCodec.Encode(response);
        var status = NslpCodec.TryParse(encoded, out var consumed, out var parsed, out var error);

        Assert.That(status, Is.EqualTo(NslpParseStatus.Complete), error);
        var again = (NslpResponse)parsed!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(consumed, Is.EqualTo(encoded.Length));
            Assert.That(again.StatusCode, Is.EqualTo(200));
            Assert.That(again.Reason, Is.EqualTo("OK"));
            Assert.That(again.IsSuccess, Is.True);
            Assert.That(again.Headers[NslpHeaderNames.ContentLength], Is.EqualTo(response.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(again.Headers[NslpHeaderNames.Node], Is.EqualTo("router-1"));
            Assert.That(again.Body.ToArray(), Is.EqualTo(response.Body.ToArray()));
        }
    }

    [Test]
    public void Encode_StaleContentLengthHeader_IsReplacedByTheBodyLength()
    {
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.ContentLength, "999");
        response.Body = "abc"u8.ToArray();

        var text = Encoding.UTF8.GetString(NslpCodec.Encode(response));

        Assert.That(text, Is.EqualTo("NETSERV/0.1 200 OK\r\ncontent-length:3\r\n\r\nabc"));
    }

    [Test]
    public void Encode_NoBody_HasNoContentLength()
    {
        var text = Encoding.UTF8.GetString(NslpCodec.Encode(new NslpResponse(404, "Not Here")));

        Assert.That(text, Is.EqualTo("NETSERV/0.1 404 Not Here\r\n\r\n"));
    }

    [Test]
    public void TryParse_ResponseWithMultiWordReason_KeepsTheReason()
    {
        var bytes = "NETSERV/0.1 422 Unprocessable Module\r\nerror:digest mismatch\r\n\r\n"u8.ToArray();

        NslpCodec.TryParse(bytes, out _, out var message, out _);

        var response = (NslpResponse)message!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(422));
            Assert.That(response.Reason, Is.EqualTo("Unprocessable Module"));
            Assert.That(response.IsSuccess, Is.False);
            Assert.That(response.Headers[NslpHeaderNames.Error], Is.EqualTo("digest mismatch"));
        }
    }

    [Test]
    public void TryParse_HeaderValueWithColons_KeepsEverythingAfterTheFirst()
    {
        var bytes = "PROBE * NETSERV/0.1\r\nurl: http://a:8080/x \r\n\r\n"u8.ToArray();

        NslpCodec.TryParse(bytes, out _, out var message, out _);

        Assert.That(message!.Headers["url"], Is.EqualTo("http://a:8080/x"));
    }

    [Test]
    public void TryParse_LeadingBlankLines_AreSkipped()
    {
        var bytes = "\r\n\r\n\nPROBE * NETSERV/0.1\r\n\r\n"u8.ToArray();

        var status = NslpCodec.TryParse(bytes, out var consumed, out var message, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(consumed, Is.EqualTo(bytes.Length));
            Assert.That(((NslpRequest)message!).Method, Is.EqualTo(NslpMethod.Probe));
        }
    }

    [Test]
    public void TryParse_TwoMessagesInARow_ConsumesOnlyTheFirst()
    {
        var first = "REMOVE NetServ.Apps.X_1.0.0 NETSERV/0.1\r\nuser:a\r\n\r\n"u8.ToArray();
        var second = "PROBE * NETSERV/0.1\r\n\r\n"u8.ToArray();
        var both = first.Concat(second).ToArray();

        NslpCodec.TryParse(both, out var consumed, out var message, out _);
        var status = NslpCodec.TryParse(both.AsSpan(consumed), out var consumed2, out var next, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(consumed, Is.EqualTo(first.Length));
            Assert.That(((NslpRequest)message!).Method, Is.EqualTo(NslpMethod.Remove));
            Assert.That(status, Is.EqualTo(NslpParseStatus.Complete));
            Assert.That(consumed2, Is.EqualTo(second.Length));
            Assert.That(((NslpRequest)next!).Method, Is.EqualTo(NslpMethod.Probe));
        }
    }

    [Test]
    public void TryParse_EveryTruncationOfAMessageWithBody_IsIncomplete()
    {
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.Node, "n1");
        response.Body = "{\"a\":1}"u8.ToArray();
        var bytes = NslpCodec.Encode(response);
        var notIncomplete = new List<int>();

        for (var length = 0; length < bytes.Length; length++)
        {
            if (NslpCodec.TryParse(bytes.AsSpan(0, length), out var consumed, out var message, out _) != NslpParseStatus.Incomplete || consumed != 0 || message is not null)
            {
                notIncomplete.Add(length);
            }
        }

        Assert.That(notIncomplete, Is.Empty, "prefix lengths not reported as Incomplete");
    }

    [TestCase("\n")]
    [TestCase("\r\n")]
    public void TryParse_EveryTruncationOfFigure4_IsIncomplete(string lineEnd)
    {
        var bytes = Encoding.UTF8.GetBytes(Figure4.Replace("\n", lineEnd, StringComparison.Ordinal));
        var notIncomplete = new List<int>();

        for (var length = 0; length < bytes.Length; length++)
        {
            if (NslpCodec.TryParse(bytes.AsSpan(0, length), out _, out _, out _) != NslpParseStatus.Incomplete)
            {
                notIncomplete.Add(length);
            }
        }

        Assert.That(notIncomplete, Is.Empty);
    }

    [TestCase("GET / NETSERV/0.1", "unknown method")]
    [TestCase("setup NetServ.Apps.X_1.0.0 NETSERV/0.1", "unknown method")]
    [TestCase("SETUP NetServ.Apps.X_1.0.0 HTTP/1.1", "version")]
    [TestCase("SETUP NetServ.Apps.X_1.0.0 NETSERV/", "version")]
    [TestCase("SETUP NetServ.Apps.X_1.0.0 NETSERV/1", "version")]
    [TestCase("SETUP NetServ.Apps.X_1.0.0 NETSERV/a.b", "version")]
    [TestCase("SETUP NetServ.Apps.X_1.0.0 NETSERV/0.1 extra", "version")]
    [TestCase("SETUP NetServ.Apps.X_1.0.0", "start line")]
    [TestCase("SETUP", "start line")]
    [TestCase("SETUP  NETSERV/0.1", "target")]
    [TestCase("NETSERV/0.1 20 OK", "status code")]
    [TestCase("NETSERV/0.1 2000 OK", "status code")]
    [TestCase("NETSERV/0.1 099 OK", "status code")]
    [TestCase("NETSERV/0.1 +20 OK", "status code")]
    [TestCase("NETSERV/0.1 abc OK", "status code")]
    [TestCase("NETSERV/x 200 OK", "version")]
    [TestCase("NETSERV/0.1 200", "start line")]
    public void TryParse_BadStartLine_IsInvalidWithAReason(string startLine, string reason)
    {
        var bytes = Encoding.UTF8.GetBytes(startLine + "\r\n\r\n");

        var status = NslpCodec.TryParse(bytes, out var consumed, out var message, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain(reason));
            Assert.That(message, Is.Null);
            Assert.That(consumed, Is.Zero);
        }
    }

    [TestCase("no colon here", "no name followed by ':'")]
    [TestCase(":value", "no name followed by ':'")]
    [TestCase("bad name:value", "not a token")]
    [TestCase("na(me:value", "not a token")]
    [TestCase("naïve:value", "not a token")]
    public void TryParse_BadHeaderLine_IsInvalid(string line, string reason)
    {
        var bytes = Encoding.UTF8.GetBytes($"PROBE * NETSERV/0.1\r\nuser:alice\r\n{line}\r\n\r\n");

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain(reason));
        }
    }

    [Test]
    public void TryParse_NotUtf8_IsInvalid()
    {
        byte[] bytes = [.. "PROBE * NETSERV/0.1\r\nuser:"u8, 0xC3, 0x28, .. "\r\n\r\n"u8];

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain("UTF-8"));
        }
    }

    [Test]
    public void TryParse_BareCarriageReturnInsideALine_IsInvalid()
    {
        // A header value may not hold a line break; a bare CR would reach NslpHeaders, which refuses it.
        var bytes = "PROBE * NETSERV/0.1\r\nuser:al\rice\r\n\r\n"u8.ToArray();

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain("CR"));
        }
    }

    [Test]
    public void TryParse_BareCarriageReturnInTheStartLine_IsInvalidWithAnErrorWithoutLineBreaks()
    {
        // The admin server puts the error into an error header of its 400 response.
        var bytes = "FOO\rBAR x NETSERV/0.1\r\n\r\n"u8.ToArray();

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Not.Contain("\r").And.Not.Contain("\n"));
        }
    }

    [Test]
    public void TryParse_ExactlyMaxHeaders_IsComplete()
    {
        var bytes = WithHeaders(NslpCodec.MaxHeaders);

        Assert.That(NslpCodec.TryParse(bytes, out _, out var message, out var error), Is.EqualTo(NslpParseStatus.Complete), error);
        Assert.That(message!.Headers.Count, Is.EqualTo(NslpCodec.MaxHeaders));
    }

    [Test]
    public void TryParse_TooManyHeaders_IsInvalid()
    {
        var bytes = WithHeaders(NslpCodec.MaxHeaders + 1);

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain("headers"));
        }
    }

    [Test]
    public void TryParse_LineTooLong_IsInvalid()
    {
        var bytes = Encoding.UTF8.GetBytes($"PROBE * NETSERV/0.1\r\nx:{new string('a', NslpCodec.MaxLineLength)}\r\n\r\n");

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain("too long"));
        }
    }

    [Test]
    public void TryParse_LongLineStillWithoutItsEnd_IsInvalidNotIncomplete()
    {
        // Without this a peer could make the reader buffer an endless line.
        var bytes = Encoding.UTF8.GetBytes($"PROBE * NETSERV/0.1\r\nx:{new string('a', NslpCodec.MaxLineLength + 10)}");

        Assert.That(NslpCodec.TryParse(bytes, out _, out _, out _), Is.EqualTo(NslpParseStatus.Invalid));
    }

    [Test]
    public void TryParse_EndlessBlankLinesBeforeTheStartLine_IsInvalidNotIncomplete()
    {
        // Leading line breaks are tolerated, but not without bound: the reader would buffer them forever.
        var bytes = Enumerable.Repeat((byte)'\n', NslpCodec.MaxMessageLength + 1).ToArray();

        Assert.That(NslpCodec.TryParse(bytes, out _, out _, out _), Is.EqualTo(NslpParseStatus.Invalid));
    }

    [TestCase("-1")]
    [TestCase("+5")]
    [TestCase("5 5")]
    [TestCase("five")]
    [TestCase("0x10")]
    [TestCase("99999999999999999999")]
    [TestCase("1048577")]
    public void TryParse_LyingContentLength_IsInvalid(string contentLength)
    {
        var bytes = Encoding.UTF8.GetBytes($"NETSERV/0.1 200 OK\r\ncontent-length:{contentLength}\r\n\r\nabc");

        var status = NslpCodec.TryParse(bytes, out _, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(NslpParseStatus.Invalid));
            Assert.That(error, Does.Contain("content-length"));
        }
    }

    [Test]
    public void TryParse_ContentLengthBeyondTheBytesReceived_IsIncomplete()
    {
        var bytes = "NETSERV/0.1 200 OK\r\ncontent-length:10\r\n\r\nabc"u8.ToArray();

        Assert.That(NslpCodec.TryParse(bytes, out _, out _, out _), Is.EqualTo(NslpParseStatus.Incomplete));
    }

    [Test]
    public void TryParse_ContentLengthShorterThanTheBytes_TakesOnlyTheBody()
    {
        var bytes = "NETSERV/0.1 200 OK\r\ncontent-length:2\r\n\r\nabc"u8.ToArray();

        NslpCodec.TryParse(bytes, out var consumed, out var message, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(message!.Body.ToArray(), Is.EqualTo("ab"u8.ToArray()));
            Assert.That(consumed, Is.EqualTo(bytes.Length - 1));
        }
    }

    [Test]
    public void TryParse_ZeroContentLength_HasAnEmptyBody()
    {
        var bytes = "NETSERV/0.1 200 OK\r\ncontent-length:0\r\n\r\n"u8.ToArray();

        NslpCodec.TryParse(bytes, out var consumed, out var message, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(consumed, Is.EqualTo(bytes.Length));
            Assert.That(message!.Body.IsEmpty, Is.True);
        }
    }

    [Test]
    public void TryParseWhole_BytesAfterTheMessage_Fails()
    {
        var bytes = "PROBE * NETSERV/0.1\r\n\r\nX"u8.ToArray();

        var parsed = NslpCodec.TryParseWhole(bytes, out var message, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(message, Is.Null);
            Assert.That(error, Does.Contain("follow"));
        }
    }

    [Test]
    public void TryParseWhole_Truncated_Fails()
    {
        var bytes = "PROBE * NETSERV/0.1\r\nuser:a\r\n"u8.ToArray();

        var parsed = NslpCodec.TryParseWhole(bytes, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(error, Does.Contain("truncated"));
        }
    }

    [Test]
    public void TryParseWhole_Invalid_FailsWithTheParserReason()
    {
        var parsed = NslpCodec.TryParseWhole("BOGUS * NETSERV/0.1\r\n\r\n"u8, out _, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.False);
            Assert.That(error, Does.Contain("unknown method"));
        }
    }

    [Test]
    public void Headers_SetReplacesEveryHeaderOfTheName()
    {
        var headers = new NslpHeaders();
        headers.Add("A", "1");
        headers.Add("b", "2");
        headers.Add("a", "3");

        headers["a"] = "4";

        Assert.That(headers.ToArray(), Is.EqualTo(new[] { KeyValuePair.Create("b", "2"), KeyValuePair.Create("a", "4") }));
    }

    [TestCase("a\nb")]
    [TestCase("a\rb")]
    public void Headers_ValueWithLineBreak_Throws(string value)
    {
        var headers = new NslpHeaders();

        Assert.Throws<ArgumentException>(() => headers.Add("x", value));
    }

    [Test]
    public void Request_TargetWithWhiteSpace_Throws()
    {
        Assert.Throws<ArgumentException>(() => _ = new NslpRequest(NslpMethod.Setup, "a b"));
    }

    [TestCase(99)]
    [TestCase(1000)]
    public void Response_StatusNotThreeDigits_Throws(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new NslpResponse(status));
    }

    private static byte[] WithHeaders(int count)
    {
        var text = new StringBuilder("PROBE * NETSERV/0.1\r\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"h{i}:{i}\r\n");
        }

        return Encoding.UTF8.GetBytes(text.Append("\r\n").ToString());
    }
}
