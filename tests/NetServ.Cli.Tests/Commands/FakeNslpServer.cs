using System.Buffers;
using System.Net.Sockets;
using NetServ.Signaling.Nslp;

namespace NetServ.Cli.Tests.Commands;

/// <summary>Stands in for netservd's admin socket: records each request (parsed with the real codec) and answers with a canned response.</summary>
internal sealed class FakeNslpServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public FakeNslpServer(string path)
    {
        Path = path;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(4);
        _serving = ServeAsync();
    }

    public string Path { get; }

    public List<NslpRequest> Requests { get; } = [];

    /// <summary>The response to every request.</summary>
    public NslpResponse Response { get; set; } = new(NslpStatus.Ok);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptAsync(_stop.Token);
            var received = new ArrayBufferWriter<byte>();
            var chunk = new byte[4096];
            while (true)
            {
                var status = NslpCodec.TryParse(received.WrittenSpan, out _, out var message, out var error);
                if (status == NslpParseStatus.Invalid)
                {
                    throw new InvalidDataException($"the CLI sent a malformed message: {error}");
                }

                if (status == NslpParseStatus.Complete)
                {
                    Requests.Add((NslpRequest)message!);
                    await connection.SendAsync(NslpCodec.Encode(Response), SocketFlags.None, _stop.Token);
                    break;
                }

                var read = await connection.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                received.Write(chunk.AsSpan(0, read));
            }
        }
    }
}
