using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Sdk;

namespace NetServ.Container.Http;

/// <summary>
/// The HTTP server building block: one Kestrel server per <see cref="StartAsync"/>, without the
/// generic host (a container has no DI container, and the host's services would cost memory).
/// Created only when a module first asks for the block, so ASP.NET Core stays unloaded otherwise.
/// </summary>
internal sealed partial class KestrelHttpServer(ILoggerFactory loggerFactory, KestrelHttpServerOptions options) : IHttpServer
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<KestrelHttpServer>();

    public async Task<IAsyncDisposable> StartAsync(IModuleContext owner, int port, RequestDelegate application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(application);
        if (!owner.AllowedPorts.Contains(port))
        {
            var allowed = owner.AllowedPorts.Count == 0 ? "none" : string.Join(", ", owner.AllowedPorts.Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
            throw new ModulePolicyException($"TCP port {port} is not allowed for user {owner.User} (allowed: {allowed})");
        }

        var kestrel = new KestrelServerOptions { AddServerHeader = false };
        kestrel.Limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersTotalSize;
        kestrel.Limits.MaxRequestLineSize = options.MaxRequestLineSize;
        kestrel.Limits.MaxConcurrentConnections = options.MaxConcurrentConnections;
        kestrel.Limits.KeepAliveTimeout = options.KeepAliveTimeout;
        kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        kestrel.Listen(IPAddress.Any, port);
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggerFactory);
        var server = new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
        try
        {
            await server.StartAsync(new DelegateApplication(application), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        Log.Started(_logger, owner.ModuleName, port);
        return new RunningServer(server, owner, port, options.StopTimeout, _logger);
    }

    /// <summary>Kestrel's application: a plain <see cref="DefaultHttpContext"/> per request, handed to the module.</summary>
    private sealed class DelegateApplication(RequestDelegate application) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => application(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }

    /// <summary>A started server; stops on dispose or when its module is being removed, whichever comes first.</summary>
    private sealed class RunningServer : IAsyncDisposable
    {
        private readonly KestrelServer _server;
        private readonly string _module;
        private readonly int _port;
        private readonly TimeSpan _stopTimeout;
        private readonly ILogger _logger;
        private readonly CancellationTokenRegistration _onRemoval;
        private Task? _stopped;
        private readonly Lock _lock = new();

        public RunningServer(KestrelServer server, IModuleContext module, int port, TimeSpan stopTimeout, ILogger logger)
        {
            _server = server;
            _module = module.ModuleName;
            _port = port;
            _stopTimeout = stopTimeout;
            _logger = logger;
            _onRemoval = module.ModuleStopping.Register(() => _ = StopAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await _onRemoval.DisposeAsync().ConfigureAwait(false);
            await StopAsync().ConfigureAwait(false);
        }

        private Task StopAsync()
        {
            lock (_lock)
            {
                return _stopped ??= Task.Run(StopOnceAsync);
            }
        }

        private async Task StopOnceAsync()
        {
            using var deadline = new CancellationTokenSource(_stopTimeout);
            try
            {
                // After the deadline Kestrel aborts the connections still open (a slow client mid-download).
                await _server.StopAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                Log.StopFailed(_logger, _module, _port, e.Message);
            }
            finally
            {
                _server.Dispose();
                Log.Stopped(_logger, _module, _port);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Information, "HTTP server of {Module} listening on port {Port}")]
        public static partial void Started(ILogger logger, string module, int port);

        [LoggerMessage(1402, LogLevel.Information, "HTTP server of {Module} on port {Port} stopped")]
        public static partial void Stopped(ILogger logger, string module, int port);

        [LoggerMessage(1403, LogLevel.Warning, "HTTP server of {Module} on port {Port} did not stop cleanly: {Error}")]
        public static partial void StopFailed(ILogger logger, string module, int port, string error);
    }
}
