using System.ComponentModel.DataAnnotations;

namespace NetServ.Apps.ActiveCdn.Provider;

/// <summary>The provider's settings (section <c>Provider</c>; on the command line <c>--Provider:Content=/srv/videos</c>).</summary>
internal sealed class ProviderOptions
{
    /// <summary>The folder whose files are the provider's content.</summary>
    [Required]
    public string Content { get; set; } = string.Empty;

    /// <summary>Where the origin listens: address and port.</summary>
    [Required]
    public string Listen { get; set; } = "0.0.0.0:8000";

    /// <summary>The URL ActiveCDN nodes fetch content from (their <c>origin</c> property); this server's own address when empty.</summary>
    public string? Origin { get; set; }

    /// <summary>The users of one region share a prefix of this length; a region gets one deployment.</summary>
    [Range(8, 32)]
    public int RegionPrefixLength { get; set; } = 24;

    /// <summary>The NetServ user the provider signs as, and its private key file.</summary>
    [Required]
    public string User { get; set; } = string.Empty;

    [Required]
    public string Key { get; set; } = string.Empty;

    /// <summary>Where nodes download the ActiveCDN package from, and its SHA-256.</summary>
    [Required]
    public string ModuleUrl { get; set; } = string.Empty;

    [Required]
    public string ModuleDigest { get; set; } = string.Empty;

    public string ModuleName { get; set; } = "NetServ.Apps.ActiveCdn_1.0.0";

    /// <summary>The port ActiveCDN serves on at the nodes (its <c>port</c> property).</summary>
    [Range(1, 65535)]
    public int CdnPort { get; set; } = 8080;

    /// <summary>Further module properties, <c>key=value,...</c> (a watermark, the cache size).</summary>
    public string? Properties { get; set; }

    /// <summary>How long a deployment lasts unless renewed (the SETUP's ttl).</summary>
    [Range(10, 86400)]
    public int TtlSeconds { get; set; } = 600;

    /// <summary>How long to wait before trying a region again whose path had no NetServ node.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan SignalingTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
