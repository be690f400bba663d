using NetServ.Geni.Authority;

namespace NetServ.AggregateManager.Tests;

/// <summary><c>netserv-am serve</c> on a port the system chooses, stopped (its nodes torn down) when disposed.</summary>
internal sealed class AggregateServer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly StringWriter error = new();
    private Task<int> serving = Task.FromResult(0);

    public Uri Url { get; private set; } = null!;

    public static async Task<AggregateServer> StartAsync(LocalAuthorityFiles files)
    {
        var server = new AggregateServer();
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.serving = ServeCommand.ServeAsync(
            new ServeSettings { Directory = files.Directory, Port = 0 }, TestContext.Progress, server.error, null, started.SetResult, server.stop.Token);
        var first = await Task.WhenAny(started.Task, server.serving, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != started.Task)
        {
            await server.DisposeAsync();
            Assert.Fail($"netserv-am serve did not start: {server.error}");
        }

        server.Url = started.Task.Result;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        var exit = await serving;
        stop.Dispose();
        Assert.That(exit, Is.Zero, error.ToString());
        error.Dispose();
    }
}
