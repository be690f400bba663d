using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NetServ.Geni.Clearinghouse;

/// <summary>How a clearinghouse is spoken to.</summary>
public enum ClearinghouseProtocol
{
    /// <summary>The GENI Common Federation API v2: a member authority (user credentials) and a slice authority.</summary>
    Federation,

    /// <summary>ProtoGENI's slice authority (<c>GetCredential</c>, <c>Resolve</c>, <c>Register</c>), which gives user credentials too.</summary>
    ProtoGeni,
}

/// <summary>A clearinghouse: where its member and slice authorities answer, and how to speak to them.</summary>
/// <param name="Name">The short name (<c>cloudlab</c>), or the URL's host when it was given as a URL.</param>
/// <param name="Protocol">The protocol both authorities speak.</param>
/// <param name="MemberAuthority">Where user credentials come from.</param>
/// <param name="SliceAuthority">Where slices are made and their credentials come from.</param>
/// <param name="Description">What it is, for a person.</param>
public sealed record ClearinghouseService(string Name, ClearinghouseProtocol Protocol, Uri MemberAuthority, Uri SliceAuthority, string Description)
{
    /// <summary>Where to turn when this one does not serve its protocol (a Federation API clearinghouse's ProtoGENI slice authority).</summary>
    public ClearinghouseService? Fallback { get; init; }

    public override string ToString() => $"{Name} ({SliceAuthority})";
}

/// <summary>
/// The clearinghouses known by name. CloudLab's accounts, projects and slices live at the Emulab
/// clearinghouse (<c>www.emulab.net</c>, port 12369), which serves the Federation API v2 at
/// <c>/protogeni/xmlrpc/geni-ma</c> and <c>/protogeni/xmlrpc/geni-sa/2</c> and ProtoGENI's slice
/// authority at <c>/protogeni/xmlrpc/sa</c>, as geni-lib's <c>emulab-ch2</c> and <c>pg</c> frameworks name them.
/// </summary>
public static class Clearinghouses
{
    private const string Emulab = "https://www.emulab.net:12369/protogeni/xmlrpc/";

    private static readonly ClearinghouseService EmulabProtoGeni = new("cloudlab-pg", ClearinghouseProtocol.ProtoGeni, new Uri(Emulab + "sa"), new Uri(Emulab + "sa"),
        "the same clearinghouse through ProtoGENI's slice authority (for when the Federation API is refused)");

    public static IReadOnlyList<ClearinghouseService> Known { get; } =
    [
        new("cloudlab", ClearinghouseProtocol.Federation, new Uri(Emulab + "geni-ma"), new Uri(Emulab + "geni-sa/2"),
            "the Emulab clearinghouse, where CloudLab, Emulab and APT accounts live (Federation API v2)") { Fallback = EmulabProtoGeni },
        EmulabProtoGeni,
        Local(AmApi.Aggregates.LocalDefaultPort),
    ];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["emulab"] = "cloudlab",
        ["apt"] = "cloudlab",
        ["emulab-pg"] = "cloudlab-pg",
    };

    /// <summary>
    /// The clearinghouse <paramref name="nameOrUrl"/> names: a name of <see cref="Known"/>, <c>local</c> or
    /// <c>local:PORT</c> (netserv-am, which serves both authorities beside its aggregate), or an <c>https://</c>
    /// URL serving both authorities with <paramref name="protocol"/>.
    /// </summary>
    public static bool TryResolve(string nameOrUrl, ClearinghouseProtocol protocol, [NotNullWhen(true)] out ClearinghouseService? clearinghouse, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(nameOrUrl);
        clearinghouse = null;
        error = null;
        var text = nameOrUrl.Trim();
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            {
                error = $"'{text}' is not an https:// URL: clearinghouses answer over HTTPS only";
                return false;
            }

            clearinghouse = new ClearinghouseService(url.Host, protocol, url, url, $"the clearinghouse at {url}");
            return true;
        }

        if (AmApi.Aggregates.TryLocalPort(text, out var port, out error) is { } isLocal)
        {
            clearinghouse = isLocal ? Local(port) : null;
            return isLocal;
        }

        var name = Aliases.GetValueOrDefault(text, text);
        clearinghouse = Known.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        if (clearinghouse is null)
        {
            error = $"'{text}' is neither a known clearinghouse ({string.Join(", ", Known.Select(c => c.Name))}, or local:PORT) nor an https:// URL";
        }

        return clearinghouse is not null;
    }

    private static ClearinghouseService Local(int port)
    {
        var url = new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        return new("local", ClearinghouseProtocol.Federation, url, url, "the local authority netserv-am serves beside its aggregate");
    }
}
