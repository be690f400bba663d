using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NetServ.Geni.AmApi;

/// <summary>An aggregate manager: where its AM API v3 answers, and what to call it in messages.</summary>
/// <param name="Name">The short name (<c>cloudlab-utah</c>), or the URL's host when it was given as a URL.</param>
/// <param name="Url">Its AM API v3 endpoint.</param>
/// <param name="Urn">Its URN, which a request's <c>component_manager_id</c> names; <see langword="null"/> when unknown.</param>
/// <param name="Description">What it is, for a person.</param>
public sealed record Aggregate(string Name, Uri Url, string? Urn, string Description)
{
    /// <summary>As messages name it: <c>cloudlab-utah (https://…/am/3.0)</c>.</summary>
    public override string ToString() => $"{Name} ({Url})";
}

/// <summary>
/// The aggregates known by name. The CloudLab and Emulab URLs and URNs are those of ProtoGENI's
/// AM API v3 endpoint on each cluster (port 12369, path <c>/protogeni/xmlrpc/am/3.0</c>), as geni-lib's
/// <c>geni.aggregate.cloudlab</c> and <c>protogeni</c> modules name them.
/// </summary>
public static class Aggregates
{
    /// <summary>The port of the local aggregate manager when <c>local</c> names none (ProtoGENI's, so that URLs look alike).</summary>
    public const int LocalDefaultPort = 12369;

    private const string ProtoGeniPath = "/protogeni/xmlrpc/am/3.0";

    /// <summary>The named aggregates, in the order a listing shows them.</summary>
    public static IReadOnlyList<Aggregate> Known { get; } =
    [
        ProtoGeni("cloudlab-utah", "www.utah.cloudlab.us", "utah.cloudlab.us", "CloudLab's Utah cluster"),
        ProtoGeni("cloudlab-wisconsin", "www.wisc.cloudlab.us", "wisc.cloudlab.us", "CloudLab's Wisconsin cluster"),
        ProtoGeni("cloudlab-clemson", "www.clemson.cloudlab.us", "clemson.cloudlab.us", "CloudLab's Clemson cluster"),
        ProtoGeni("emulab", "www.emulab.net", "emulab.net", "Emulab at the University of Utah"),
        ProtoGeni("apt", "www.apt.emulab.net", "apt.emulab.net", "APT at the University of Utah"),
        Local(LocalDefaultPort),
    ];

    // Short forms people type.
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["utah"] = "cloudlab-utah",
        ["wisconsin"] = "cloudlab-wisconsin",
        ["wisc"] = "cloudlab-wisconsin",
        ["clemson"] = "cloudlab-clemson",
    };

    /// <summary>
    /// The aggregate <paramref name="nameOrUrl"/> names: a name of <see cref="Known"/> (or a short
    /// form such as <c>utah</c>), <c>local</c> or <c>local:PORT</c>, or an <c>https://</c> URL.
    /// </summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> saying what is accepted.</returns>
    public static bool TryResolve(string nameOrUrl, [NotNullWhen(true)] out Aggregate? aggregate, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(nameOrUrl);
        aggregate = null;
        error = null;
        var text = nameOrUrl.Trim();
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            {
                error = $"'{text}' is not an https:// URL: aggregates speak the AM API over HTTPS only";
                return false;
            }

            aggregate = Known.FirstOrDefault(a => a.Url == url) ?? new Aggregate(url.Host, url, null, $"the aggregate at {url}");
            return true;
        }

        if (TryLocalPort(text, out var port, out error) is { } isLocal)
        {
            aggregate = isLocal ? Local(port) : null;
            return isLocal;
        }

        var name = Aliases.GetValueOrDefault(text, text);
        aggregate = Known.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
        if (aggregate is null)
        {
            error = $"'{text}' is neither a known aggregate ({string.Join(", ", Known.Select(a => a.Name))}, or local:PORT) nor an https:// URL";
        }

        return aggregate is not null;
    }

    /// <exception cref="ArgumentException"><paramref name="nameOrUrl"/> names no aggregate; the message says what is accepted.</exception>
    public static Aggregate Resolve(string nameOrUrl)
        => TryResolve(nameOrUrl, out var aggregate, out var error) ? aggregate : throw new ArgumentException(error, nameof(nameOrUrl));

    /// <summary>
    /// Reads <c>local:PORT</c>, the way both aggregates and clearinghouses name a netserv-am on another port: null when
    /// <paramref name="text"/> is not of that form, else whether the port is valid (<paramref name="error"/> says why not).
    /// </summary>
    internal static bool? TryLocalPort(string text, out int port, out string? error)
    {
        port = 0;
        error = null;
        if (!text.StartsWith("local:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!int.TryParse(text.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"'{text}': local:PORT takes a port number from 1 to 65535";
            return false;
        }

        return true;
    }

    private static Aggregate ProtoGeni(string name, string host, string authority, string description)
        => new(name, new Uri($"https://{host}:12369{ProtoGeniPath}"), $"urn:publicid:IDN+{authority}+authority+cm", description);

    // netserv-am accepts any path; the root is the shortest URL to type.
    private static Aggregate Local(int port)
        => new("local", new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), null, "the local NetServ aggregate manager (netserv-am)");
}
