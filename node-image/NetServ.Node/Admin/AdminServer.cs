using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Node.Control;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Admin;

/// <summary>
/// The local admin API: NSLP requests (SETUP, REMOVE, PROBE in the Figure 4 format) over a Unix
/// socket that only root can open. Used by <c>netserv admin</c>; requests need no signature.
/// </summary>
internal sealed partial class AdminServer(Controller controller, IOptions<NodeConfiguration> options, ILogger<AdminServer> logger) : BackgroundService
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.AdminSocket;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        listener.Listen(16);
        Log.Listening(logger, path);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var connection = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                _ = Task.Run(() => ServeAsync(connection, stoppingToken), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task ServeAsync(Socket connection, CancellationToken stoppingToken)
    {
        using var _ = connection;
        var buffer = new NslpReceiveBuffer();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                idle.CancelAfter(IdleTimeout);
                var read = await connection.ReceiveAsync(buffer.GetFreeSpace(), SocketFlags.None, idle.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                buffer.Advance(read);
                while (true)
                {
                    var status = buffer.TryTake(out var message, out var error);
                    if (status == NslpParseStatus.Incomplete)
                    {
                        break;
                    }

                    NslpResponse response;
                    if (status == NslpParseStatus.Invalid)
                    {
                        response = new NslpResponse(NslpStatus.BadRequest);
                        response.Headers.Add(NslpHeaderNames.Error, error ?? "malformed request");
                        await SendAsync(connection, response, stoppingToken).ConfigureAwait(false);
                        return;
                    }

                    if (message is not NslpRequest request)
                    {
                        response = new NslpResponse(NslpStatus.BadRequest);
                        response.Headers.Add(NslpHeaderNames.Error, "expected a request, got a response");
                    }
                    else
                    {
                        Log.Request(logger, NslpRequest.MethodName(request.Method), request.Target);
                        response = await controller.HandleAsync(request, RequestOrigin.Admin, stoppingToken).ConfigureAwait(false);
                    }

                    await SendAsync(connection, response, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            Log.ConnectionEnded(logger, e.Message);
        }
    }

    private static async Task SendAsync(Socket connection, NslpResponse response, CancellationToken cancellationToken)
    {
        var bytes = NslpCodec.Encode(response);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await connection.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2601, LogLevel.Information, "Admin API listening on {Path}")]
        public static partial void Listening(ILogger logger, string path);

        [LoggerMessage(2602, LogLevel.Information, "Admin request: {Method} {Target}")]
        public static partial void Request(ILogger logger, string method, string target);

        [LoggerMessage(2603, LogLevel.Debug, "Admin connection ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string reason);
    }
}
