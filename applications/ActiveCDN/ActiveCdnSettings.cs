using NetServ.Sdk;

namespace NetServ.Apps.ActiveCdn;

/// <summary>The module's properties, read and checked at start.</summary>
internal sealed record ActiveCdnSettings
{
    public const int DefaultPort = 8080;
    public const long DefaultCacheBytes = 64L * 1024 * 1024;
    public const string DefaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>Where objects come from: <c>origin=http://198.18.1.1:8080</c>.</summary>
    public required Uri Origin { get; init; }

    public int Port { get; init; } = DefaultPort;

    public long CacheBytes { get; init; } = DefaultCacheBytes;

    /// <summary>The text written on videos, or null to cache them as they are.</summary>
    public string? Watermark { get; init; }

    public string FfmpegFolder { get; init; } = "/usr/bin";

    public string Font { get; init; } = DefaultFont;

    /// <exception cref="ArgumentException">A property is missing or malformed.</exception>
    public static ActiveCdnSettings From(ModuleProperties properties)
    {
        var originText = properties.GetString("origin")
            ?? throw new ArgumentException("the origin property (the content provider's URL, http://host:port) is required");
        if (!Uri.TryCreate(originText, UriKind.Absolute, out var origin) || origin.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"origin '{originText}' is not an http:// URL");
        }

        var port = properties.GetInt32("port", DefaultPort);
        if (port is < 1 or > 65535)
        {
            throw new ArgumentException($"port {port} is not a port");
        }

        var cacheBytes = properties.TryGetValue("cache_bytes", out var text) && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : properties.ContainsKey("cache_bytes") ? throw new ArgumentException($"cache_bytes '{text}' is not a number") : DefaultCacheBytes;
        if (cacheBytes <= 0)
        {
            throw new ArgumentException("cache_bytes must be positive");
        }

        // The paper's demo wrote local information on the video: a location, a node name, the weather.
        var watermark = properties.GetString("watermark") ?? properties.GetString("location");
        return new ActiveCdnSettings
        {
            Origin = origin,
            Port = port,
            CacheBytes = cacheBytes,
            Watermark = string.IsNullOrWhiteSpace(watermark) ? null : watermark,
            FfmpegFolder = properties.GetString("ffmpeg_folder", "/usr/bin"),
            Font = properties.GetString("font", DefaultFont),
        };
    }
}
