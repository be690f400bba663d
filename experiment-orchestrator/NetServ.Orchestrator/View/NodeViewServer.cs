using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NetServ.Orchestrator.Experiments;

namespace NetServ.Orchestrator.View;

/// <summary>
/// The live node view of a run (<c>netserv-lab run --view</c>): a page served on loopback that draws the rspec's topology
/// and, for each NetServ node, the modules installed with their packet counts and NetMonitor's flows, updated live over
/// Server-Sent Events (<c>/api/events</c>; <c>/api/snapshot</c> for one snapshot). The nodes' status is read every
/// <see cref="PollInterval"/> while the run watches them. No front-end build: the page is one HTML file with its script.
/// </summary>
internal sealed partial class NodeViewServer : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private Task _poller = Task.CompletedTask;

    private NodeViewServer(WebApplication app, NodeViewModel model, Uri address, ILogger logger)
    {
        _app = app;
        Model = model;
        Address = address;
        _logger = logger;
    }

    public NodeViewModel Model { get; }

    /// <summary>Where the page is: http://127.0.0.1:PORT/.</summary>
    public Uri Address { get; }

    /// <summary>Serves the view on <paramref name="endpoint"/> (port 0 for any free one).</summary>
    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's).</exception>
    public static async Task<NodeViewServer> StartAsync(IPEndPoint endpoint, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var model = new NodeViewModel(time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        var app = builder.Build();
        var page = ReadPage();
        app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/api/snapshot", () => Results.Content(model.Snapshot().ToJsonString(), "application/json"));
        app.MapGet("/api/events", (HttpContext context) => StreamAsync(context, model, time));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new NodeViewServer(app, model, new Uri(address.EndsWith('/') ? address : address + "/"), logger);
    }

    /// <summary>Reads <paramref name="nodes"/>' status every <see cref="PollInterval"/> until disposed.</summary>
    public void Watch(IReadOnlyDictionary<string, IExperimentNetServd> nodes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        _poller = Task.Run(() => PollAsync(nodes, time, _stop.Token));
    }

    private async Task PollAsync(IReadOnlyDictionary<string, IExperimentNetServd> nodes, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        do
        {
            foreach (var (name, node) in nodes.ToArray())
            {
                try
                {
                    Model.SetStatus(name, await node.StatusAsync(cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A node that stopped answering is shown so; the view goes on with the others.
                    Model.SetStatus(name, null, e.Message);
                    Log.StatusFailed(_logger, name, e.Message);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A snapshot now and after every change, as Server-Sent Events, until the page goes or the view stops.</summary>
    private static async Task StreamAsync(HttpContext context, NodeViewModel model, TimeProvider time)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var aborted = context.RequestAborted;
        var sent = -1L;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var version = model.Version;
                if (version != sent)
                {
                    sent = version;
                    await context.Response.WriteAsync($"data: {model.Snapshot().ToJsonString()}\n\n", Encoding.UTF8, aborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), time, aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
    }

    private static string ReadPage()
    {
        using var stream = typeof(NodeViewServer).Assembly.GetManifestResourceStream("NetServ.Orchestrator.View.node-view.html")
            ?? throw new InvalidOperationException("the node view's page is not embedded in the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Stops reading the nodes' status (before they are stopped); the page keeps the last snapshot.</summary>
    public async Task StopWatchingAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _poller.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopWatchingAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(3411, LogLevel.Debug, "node view: the status of {Node} could not be read: {Reason}")]
        public static partial void StatusFailed(ILogger logger, string node, string reason);
    }
}
