using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using N = NetServ.RSpec.RSpecNames;

namespace NetServ.RSpec;

/// <summary>
/// Reads GENI RSpec v3 manifests, within the same bounds as requests. Lenient where aggregates
/// differ (attributes it does not need may be missing), strict where the orchestrator relies on a
/// value (a login's host and port, an address): bad input gives an <see cref="RSpecError"/> with
/// its line and column, never an exception.
/// </summary>
public sealed class ManifestReader
{
    private RSpecError? _error;

    private ManifestReader()
    {
    }

    /// <summary>Reads a manifest from <paramref name="text"/>.</summary>
    /// <returns><see langword="true"/> with <paramref name="manifest"/> set, or <see langword="false"/> with <paramref name="error"/> set.</returns>
    public static bool TryRead(string text, [NotNullWhen(true)] out ManifestRSpec? manifest, [NotNullWhen(false)] out RSpecError? error)
    {
        manifest = null;
        if (!RSpecReader.TryLoad(text, out var document, out error))
        {
            return false;
        }

        var reader = new ManifestReader();
        manifest = reader.Parse(document);
        error = manifest is null ? reader._error ?? new RSpecError(RSpecErrorKind.NotWellFormed, "the document is empty", 0, 0) : null;
        return manifest is not null;
    }

    private ManifestRSpec? Parse(XDocument document)
    {
        if (document.Root is not { } root)
        {
            return null;
        }

        if (root.Name != N.Rspec)
        {
            return Fail<ManifestRSpec>(RSpecErrorKind.WrongRoot, root, $"the root element is <{root.Name.LocalName}> in namespace '{root.Name.NamespaceName}', not <rspec> in '{N.Namespace}'");
        }

        var type = root.Attribute(N.Type);
        if (type?.Value != N.ManifestType)
        {
            return Fail<ManifestRSpec>(RSpecErrorKind.NotManifest, (IXmlLineInfo?)type ?? root,
                type is null ? $"the rspec has no type: a manifest says type=\"{N.ManifestType}\"" : $"the rspec's type is '{type.Value}', not '{N.ManifestType}'");
        }

        var nodes = new List<ManifestNode>();
        foreach (var element in root.Elements(N.Node))
        {
            if (ParseNode(element) is not { } node)
            {
                return null;
            }

            nodes.Add(node);
        }

        return new ManifestRSpec(ValueList.From(nodes));
    }

    private ManifestNode? ParseNode(XElement node)
    {
        if (Required(node, N.ClientId) is not { } clientId)
        {
            return null;
        }

        var logins = new List<NodeLogin>();
        foreach (var element in node.Elements(N.Services).Elements(N.Login))
        {
            if (ParseLogin(element) is not { } login)
            {
                return null;
            }

            logins.Add(login);
        }

        var interfaces = new List<ManifestInterface>();
        foreach (var element in node.Elements(N.Interface))
        {
            if (ParseInterface(element) is not { } parsed)
            {
                return null;
            }

            interfaces.Add(parsed);
        }

        return new ManifestNode(
            clientId,
            Optional(node, N.SliverId),
            Optional(node, N.ComponentId),
            Optional(node, N.ComponentManagerId),
            node.Element(N.Host) is { } host ? Optional(host, N.Name) : null,
            ValueList.From(logins),
            ValueList.From(interfaces));
    }

    private NodeLogin? ParseLogin(XElement login)
    {
        if (Required(login, N.Authentication) is not { } authentication || Required(login, N.Hostname) is not { } hostname)
        {
            return null;
        }

        // The schema makes the port optional; ssh's own is meant then.
        var port = 22;
        if (login.Attribute(N.Port) is { } portAttribute
            && (!int.TryParse(portAttribute.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return Fail<NodeLogin>(RSpecErrorKind.InvalidNumber, portAttribute, $"login port '{portAttribute.Value}' is not a port number (1 to 65535)");
        }

        return new NodeLogin(authentication, hostname, port, Optional(login, N.Username));
    }

    private ManifestInterface? ParseInterface(XElement element)
    {
        if (Required(element, N.ClientId) is not { } clientId)
        {
            return null;
        }

        var ips = new List<RSpecIp>();
        foreach (var ipElement in element.Elements(N.Ip))
        {
            if (ParseIp(ipElement) is not { } ip)
            {
                return null;
            }

            ips.Add(ip);
        }

        return new ManifestInterface(clientId, Optional(element, N.SliverId), Optional(element, N.MacAddress), ValueList.From(ips));
    }

    private RSpecIp? ParseIp(XElement ip)
    {
        var ipv6 = string.Equals(ip.Attribute(N.Type)?.Value.Trim(), N.Ipv6, StringComparison.OrdinalIgnoreCase);
        if (Required(ip, N.Address) is not { } text)
        {
            return null;
        }

        if ((ipv6 ? RequestParser.ParseIpv6(text.Trim()) : RequestParser.ParseIpv4(text.Trim())) is not { } address)
        {
            return Fail<RSpecIp>(RSpecErrorKind.InvalidAddress, ip.Attribute(N.Address)!, $"'{text}' is not an {(ipv6 ? "IPv6" : "IPv4")} address");
        }

        if (Optional(ip, N.Netmask) is not { } netmask)
        {
            return new RSpecIp(address, null);
        }

        int length;
        var valid = ipv6 ? RequestParser.TryIpv6PrefixLength(netmask.Trim(), out length) : RequestParser.TryPrefixLength(netmask.Trim(), out length);
        return valid
            ? new RSpecIp(address, length)
            : Fail<RSpecIp>(RSpecErrorKind.InvalidNetmask, ip.Attribute(N.Netmask)!, ipv6 ? $"'{netmask}' is not an IPv6 prefix length such as 64" : $"'{netmask}' is not a netmask such as 255.255.255.0");
    }

    private static string? Optional(XElement element, XName name)
        => element.Attribute(name)?.Value is { Length: > 0 } value ? value : null;

    private string? Required(XElement element, XName name)
        => Optional(element, name) ?? Fail<string>(RSpecErrorKind.MissingAttribute, element, $"<{element.Name.LocalName}> has no {name.LocalName}");

    private T? Fail<T>(RSpecErrorKind kind, IXmlLineInfo where, string message)
        where T : class
    {
        _error = new RSpecError(kind, message, where.LineNumber, where.LinePosition);
        return null;
    }
}
