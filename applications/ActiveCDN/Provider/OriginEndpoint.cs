using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace NetServ.Apps.ActiveCdn.Provider;

/// <summary>
/// The provider's web server (paper Figure 7, steps 1, 2, 8 and 9): a request from a region with
/// an ActiveCDN node is redirected there; otherwise it is served here, and a deployment toward the
/// region starts.
/// </summary>
internal sealed partial class OriginEndpoint(IOptions<ProviderOptions> options, RegionDirectory regions, CdnDeployer deployer, ILogger<OriginEndpoint> logger)
{
    public const string StatusPath = "/_provider/status";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly ProviderOptions _options = options.Value;
    private long _served;
    private long _redirected;

    public IResult Handle(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path == StatusPath)
        {
            return Results.Json(Status());
        }

        var file = FileOf(path);
        if (file is null)
        {
            return Results.NotFound();
        }

        var client = context.Connection.RemoteIpAddress ?? IPAddress.None;
        var region = RegionDirectory.RegionOf(client, _options.RegionPrefixLength);
        if (regions.IsNode(client))
        {
            // An ActiveCDN node filling its cache (step 10).
            Interlocked.Increment(ref _served);
        }
        else if (regions.NearestNode(region) is { } node)
        {
            Interlocked.Increment(ref _redirected);
            var location = $"http://{node}:{_options.CdnPort}{context.Request.Path.ToUriComponent()}{context.Request.QueryString}";
            Log.Redirected(logger, client.ToString(), location);
            return Results.Redirect(location);
        }
        else
        {
            Interlocked.Increment(ref _served);
            deployer.DeployInBackground(client, region);
        }

        var contentType = ContentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream";
        return Results.File(file, contentType, enableRangeProcessing: true);
    }

    private JsonObject Status() => new()
    {
        ["served"] = Interlocked.Read(ref _served),
        ["redirected"] = Interlocked.Read(ref _redirected),
        ["deployments"] = deployer.Deployments,
        ["regions"] = regions.ToJson(),
    };

    /// <summary>The file under the content folder that <paramref name="path"/> names, or null (never outside the folder).</summary>
    private string? FileOf(string path)
    {
        var root = Path.GetFullPath(_options.Content);
        var full = Path.GetFullPath(Path.Combine(root, path.TrimStart('/')));
        return full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(full) ? full : null;
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "Redirected {Client} to {Location}")]
        public static partial void Redirected(ILogger logger, string client, string location);
    }
}
