using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using NetServ.Sip.Transport;

namespace NetServ.Sip.Tests.Transport;

[TestFixture]
public sealed class SipUdpServerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly RecordingLogger _logger = new();
    private readonly SipToTags _toTags = new();
    private SipUdpServer _server = null!;
    private UdpClient _agent = null!;
    private CancellationTokenSource _stop = null!;

    [SetUp]
    public void SetUp()
    {
        _server = SipUdpServer.Bind(new IPEndPoint(IPAddress.Loopback, 0), _logger);
        _agent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        _stop = new CancellationTokenSource();
    }

    [TearDown]
    public void TearDown()
    {
        _stop.Cancel();
        _stop.Dispose();
        _agent.Dispose();
        _server.Dispose();
    }

    [Test]
    public async Task RunAsync_Request_GetsTheHandlersReplyFromTheServersPortWhereViaSaysToSendIt()
    {
        var running = _server.RunAsync(AnswerOkAsync, _stop.Token);

        await _agent.SendAsync(Options(), _server.LocalEndPoint);
        var reply = await ReceiveAsync();

        Assert.That(reply.RemoteEndPoint, Is.EqualTo(_server.LocalEndPoint));
        var sip = Encoding.ASCII.GetString(reply.Buffer);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sip, Does.StartWith("SIP/2.0 200 OK\r\n"));
            Assert.That(sip, Does.Contain($";received=127.0.0.1;rport={AgentPort}\r\n"), "the handler saw the datagram's real source");
            Assert.That(sip, Does.Match(@"\r\nTo: <sip:bob@127\.0\.0\.1>;tag=[0-9a-f]{16}\r\n"));
        }

        await StopAsync(running);
    }

    [Test]
    public async Task RunAsync_MalformedDatagram_IsNotAnsweredAndTheNextRequestStillIs()
    {
        var running = _server.RunAsync(AnswerOkAsync, _stop.Token);

        await _agent.SendAsync("OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: \r\n\r\n"u8.ToArray(), _server.LocalEndPoint);
        await _agent.SendAsync(new byte[] { 0, 0xFF, 13, 10 }, _server.LocalEndPoint);
        await _agent.SendAsync(Options("second"), _server.LocalEndPoint);
        var reply = await ReceiveAsync();

        Assert.That(Encoding.ASCII.GetString(reply.Buffer), Does.Contain("\r\nCall-ID: second\r\n"), "the first reply is the third datagram's");
        await StopAsync(running);
    }

    [Test]
    public async Task RunAsync_HandlerThrows_LogsTheErrorAndKeepsServing()
    {
        var running = _server.RunAsync(
            (server, datagram, cancellationToken) => datagram.Payload.Span.StartsWith("boom"u8)
                ? throw new InvalidOperationException("boom")
                : AnswerOkAsync(server, datagram, cancellationToken),
            _stop.Token);

        await _agent.SendAsync("boom"u8.ToArray(), _server.LocalEndPoint);
        await _agent.SendAsync(Options(), _server.LocalEndPoint);
        var reply = await ReceiveAsync();

        Assert.That(Encoding.ASCII.GetString(reply.Buffer), Does.StartWith("SIP/2.0 200 OK\r\n"));
        Assert.That(_logger.Entries, Has.One.Matches<(LogLevel Level, Exception? Exception)>(e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException));
        await StopAsync(running);
    }

    [Test]
    public async Task RunAsync_Stopped_ReturnsOnlyOnceTheBackgroundWorkIsDone()
    {
        var work = new TaskCompletionSource();
        var handled = new TaskCompletionSource();
        var running = _server.RunAsync(
            (server, _, _) =>
            {
                server.RunInBackground(work.Task);
                handled.TrySetResult();
                return ValueTask.CompletedTask;
            },
            _stop.Token);
        await _agent.SendAsync(Options(), _server.LocalEndPoint);
        await handled.Task.WaitAsync(Patience);

        await _stop.CancelAsync();
        await Task.Delay(100);
        var returnedEarly = running.IsCompleted;
        work.SetResult();

        Assert.That(returnedEarly, Is.False);
        await running.WaitAsync(Patience);
    }

    private int AgentPort => ((IPEndPoint)_agent.Client.LocalEndPoint!).Port;

    /// <summary>What a simple SIP server does: 200 OK to every request it can answer, sent where RFC 3261 and RFC 3581 say.</summary>
    private ValueTask AnswerOkAsync(SipUdpServer server, SipUdpDatagram datagram, CancellationToken cancellationToken) =>
        SipResponseWriter.TryWriteResponse(server.ReplyBuffer, datagram.Payload.Span, datagram.Source, 200, "OK"u8, _toTags, [], out var length, out var sendTo)
            ? server.ReplyAsync(length, sendTo, cancellationToken)
            : ValueTask.CompletedTask;

    private static byte[] Options(string callId = "first") => Encoding.ASCII.GetBytes(
        "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1;rport\r\n" +
        "From: <sip:alice@127.0.0.1>;tag=a1\r\n" +
        "To: <sip:bob@127.0.0.1>\r\n" +
        $"Call-ID: {callId}\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Content-Length: 0\r\n" +
        "\r\n");

    private async Task<UdpReceiveResult> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await _agent.ReceiveAsync(timeout.Token);
    }

    private async Task StopAsync(Task running)
    {
        await _stop.CancelAsync();
        await running.WaitAsync(Patience);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, exception));
            }
        }
    }
}
