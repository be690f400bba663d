using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Signaling.Nslp;

/// <summary>A SETUP request with its headers checked and typed.</summary>
public sealed class SetupRequest
{
    public required ModuleName Module { get; init; }

    public required string User { get; init; }

    public required Uri Url { get; init; }

    /// <summary>The SHA-256 digest of the module package (32 bytes).</summary>
    public required byte[] Digest { get; init; }

    /// <summary>Whether the request asks for a packet filter (filter-proto, filter-port or filter-dst given).</summary>
    public bool HasFilter { get; init; }

    public FilterProtocol FilterProtocol { get; init; }

    public int? FilterPort { get; init; }

    /// <summary>The filter-dst prefixes; empty means "the user's allowed prefixes".</summary>
    public IReadOnlyList<Ipv4Prefix> FilterDestinations { get; init; } = [];

    public ModuleProperties Properties { get; init; } = ModuleProperties.Empty;

    /// <summary>The requested soft-state lifetime, or null for the node's default.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Building blocks the module needs.</summary>
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    public string? Notification { get; init; }

    /// <summary>
    /// A one-time password the user stored on the server at the filter destination, offered as proof
    /// of owning that address when it lies outside the user's configured prefixes (paper section 5.2).
    /// </summary>
    public string? OwnershipPassword { get; init; }

    /// <summary>The digest as lower-case hex.</summary>
    public string DigestHex => Convert.ToHexStringLower(Digest);

    /// <summary>Checks and types the headers of a SETUP request.</summary>
    public static bool TryFrom(NslpRequest request, [NotNullWhen(true)] out SetupRequest? setup, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        setup = null;
        if (request.Method != NslpMethod.Setup)
        {
            error = "not a SETUP request";
            return false;
        }

        if (!ModuleName.TryParse(request.Target, out var module, out error)
            || !TryUser(request, out var user, out error)
            || !TryUrl(request.Headers[NslpHeaderNames.Url], out var url, out error)
            || !TryDigest(request.Headers[NslpHeaderNames.ModuleDigest], out var digest, out error)
            || !TryFilter(request, out var hasFilter, out var protocol, out var port, out var destinations, out error)
            || !TryTtl(request.Headers[NslpHeaderNames.Ttl], out var ttl, out error))
        {
            return false;
        }

        if (!ModuleProperties.TryParse(request.Headers[NslpHeaderNames.Properties], out var properties, out var propertyError))
        {
            error = $"properties: {propertyError}";
            return false;
        }

        setup = new SetupRequest
        {
            Module = module,
            User = user,
            Url = url,
            Digest = digest,
            HasFilter = hasFilter,
            FilterProtocol = protocol,
            FilterPort = port,
            FilterDestinations = destinations,
            Properties = properties,
            Ttl = ttl,
            Dependencies = SplitList(request.Headers[NslpHeaderNames.Dependencies]),
            Notification = NullIfEmpty(request.Headers[NslpHeaderNames.Notification]),
            OwnershipPassword = NullIfEmpty(request.Headers[NslpHeaderNames.OwnershipPassword]),
        };
        return true;
    }

    internal static bool TryUser(NslpRequest request, [NotNullWhen(true)] out string? user, [NotNullWhen(false)] out string? error)
    {
        user = NullIfEmpty(request.Headers[NslpHeaderNames.User]);
        if (user is null)
        {
            error = "the user header is missing";
            return false;
        }

        error = null;
        return true;
    }

    internal static IReadOnlyList<string> SplitList(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    internal static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static bool TryUrl(string? text, [NotNullWhen(true)] out Uri? url, [NotNullWhen(false)] out string? error)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the url header is missing";
            return false;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            url = null;
            error = $"url '{text}' is not an absolute http or https URL";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryDigest(string? text, [NotNullWhen(true)] out byte[]? digest, [NotNullWhen(false)] out string? error)
    {
        digest = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the module-digest header is missing: the node verifies every package against it";
            return false;
        }

        var hex = text.Trim();
        if (hex.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex["sha256:".Length..];
        }

        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            error = $"module-digest '{text}' is not a SHA-256 digest (64 hex digits, optionally prefixed sha256:)";
            return false;
        }

        digest = Convert.FromHexString(hex);
        error = null;
        return true;
    }

    private static bool TryFilter(
        NslpRequest request,
        out bool hasFilter,
        out FilterProtocol protocol,
        out int? port,
        out IReadOnlyList<Ipv4Prefix> destinations,
        [NotNullWhen(false)] out string? error)
    {
        var protoText = NullIfEmpty(request.Headers[NslpHeaderNames.FilterProto]);
        var portText = NullIfEmpty(request.Headers[NslpHeaderNames.FilterPort]);
        var dstText = NullIfEmpty(request.Headers[NslpHeaderNames.FilterDst]);
        hasFilter = protoText is not null || portText is not null || dstText is not null;
        port = null;
        destinations = [];
        if (!PacketFilter.TryParseProtocol(protoText, out protocol))
        {
            error = $"filter-proto '{protoText}' is not udp, tcp or any";
            return false;
        }

        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
            {
                error = $"filter-port '{portText}' is not a port 1-65535";
                return false;
            }

            if (protocol == FilterProtocol.Any)
            {
                error = "filter-port needs filter-proto udp or tcp";
                return false;
            }

            port = value;
        }

        var prefixes = new List<Ipv4Prefix>();
        foreach (var item in SplitList(dstText))
        {
            if (!Ipv4Prefix.TryParse(item, out var prefix))
            {
                error = $"filter-dst '{item}' is not an IPv4 prefix such as 198.19.0.0/16";
                return false;
            }

            prefixes.Add(prefix);
        }

        destinations = prefixes;
        error = null;
        return true;
    }

    private static bool TryTtl(string? text, out TimeSpan? ttl, [NotNullWhen(false)] out string? error)
    {
        ttl = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
        {
            error = $"ttl '{text}' is not a positive number of seconds";
            return false;
        }

        ttl = TimeSpan.FromSeconds(seconds);
        return true;
    }
}

/// <summary>A REMOVE request, checked.</summary>
public sealed class RemoveRequest
{
    public required ModuleName Module { get; init; }

    public required string User { get; init; }

    /// <summary>Checks and types the headers of a REMOVE request.</summary>
    public static bool TryFrom(NslpRequest request, [NotNullWhen(true)] out RemoveRequest? remove, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        remove = null;
        if (request.Method != NslpMethod.Remove)
        {
            error = "not a REMOVE request";
            return false;
        }

        if (!ModuleName.TryParse(request.Target, out var module, out error) || !SetupRequest.TryUser(request, out var user, out error))
        {
            return false;
        }

        remove = new RemoveRequest { Module = module, User = user };
        return true;
    }
}

/// <summary>What a PROBE asks for (the <c>probe</c> header).</summary>
public enum ProbeKind
{
    /// <summary>The node's status: containers and installed modules.</summary>
    Status,

    /// <summary>What the node offers: building blocks, forwarding plane, limits.</summary>
    Capabilities,

    /// <summary>The requesting user's policy: prefixes, ports, limits.</summary>
    Policies,

    /// <summary>One module's state (the request target names it).</summary>
    Module,
}

/// <summary>A PROBE request, checked.</summary>
public sealed class ProbeRequest
{
    public required ProbeKind Kind { get; init; }

    /// <summary>The request target: a module name for <see cref="ProbeKind.Module"/>, otherwise free (often '*').</summary>
    public required string Target { get; init; }

    public string? User { get; init; }

    /// <summary>Checks and types the headers of a PROBE request. The kind defaults to status.</summary>
    public static bool TryFrom(NslpRequest request, [NotNullWhen(true)] out ProbeRequest? probe, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        probe = null;
        if (request.Method != NslpMethod.Probe)
        {
            error = "not a PROBE request";
            return false;
        }

        var kindText = SetupRequest.NullIfEmpty(request.Headers[NslpHeaderNames.Probe])?.ToLowerInvariant() ?? "status";
        ProbeKind kind;
        switch (kindText)
        {
            case "status": kind = ProbeKind.Status; break;
            case "capabilities": kind = ProbeKind.Capabilities; break;
            case "policies": kind = ProbeKind.Policies; break;
            case "module": kind = ProbeKind.Module; break;
            default:
                error = $"probe '{kindText}' is not status, capabilities, policies or module";
                return false;
        }

        if (kind == ProbeKind.Module && !ModuleName.TryParse(request.Target, out _, out error))
        {
            return false;
        }

        probe = new ProbeRequest { Kind = kind, Target = request.Target, User = SetupRequest.NullIfEmpty(request.Headers[NslpHeaderNames.User]) };
        error = null;
        return true;
    }
}
