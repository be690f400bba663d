using System.Net.Sockets;

namespace NetServ.Testbed.Http;

/// <summary>The accept loop of the testbed's small HTTP servers: each connection served on the thread pool.</summary>
internal static class AcceptLoop
{
    /// <summary>Accepts connections on <paramref name="listener"/> until <paramref name="stop"/> is cancelled or the listener is closed.</summary>
    public static async Task RunAsync(Socket listener, Func<Socket, Task> serve, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => serve(client), CancellationToken.None);
        }
    }
}
