using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Xml;
using System.Xml.Linq;
using NetServ.Sdk;
using N = NetServ.RSpec.RSpecNames;

namespace NetServ.RSpec;

/// <summary>
/// Turns a loaded document into a <see cref="RequestRSpec"/>, stopping at the first thing that is
/// wrong and saying where it is. Elements and attributes it does not model (extensions in other
/// namespaces, <c>location</c>, <c>hardware_type</c>…) are passed over.
/// </summary>
internal sealed class RequestParser
{
    // Nodes, interfaces and links share one space of client ids.
    private readonly Dictionary<string, XAttribute> _clientIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interfaces = new(StringComparer.Ordinal);
    private readonly List<(string Link, XAttribute Interface)> _interfaceRefs = [];
    private readonly List<(string Link, XAttribute Interface)> _propertyEnds = [];
    private RSpecError? _error;

    private RequestParser()
    {
    }

    /// <summary>Reads <paramref name="document"/> (loaded with line information) as a request.</summary>
    public static bool TryParse(XDocument document, [NotNullWhen(true)] out RequestRSpec? request, [NotNullWhen(false)] out RSpecError? error)
    {
        var parser = new RequestParser();
        request = parser.Parse(document);
        error = request is null ? parser._error ?? new RSpecError(RSpecErrorKind.NotWellFormed, "the document is empty", 0, 0) : null;
        return request is not null;
    }

    private RequestRSpec? Parse(XDocument document)
    {
        if (document.Root is not { } root)
        {
            return null;
        }

        if (root.Name != N.Rspec)
        {
            return Fail<RequestRSpec>(RSpecErrorKind.WrongRoot, root,
                $"the root element is <{root.Name.LocalName}> in namespace '{root.Name.NamespaceName}', not <rspec> in '{N.Namespace}'");
        }

        var type = root.Attribute(N.Type);
        if (type?.Value != N.RequestType)
        {
            return Fail<RequestRSpec>(RSpecErrorKind.NotRequest, (IXmlLineInfo?)type ?? root,
                type is null ? $"the rspec has no type: a request says type=\"{N.RequestType}\"" : $"the rspec's type is '{type.Value}', not '{N.RequestType}'");
        }

        var nodes = new List<RSpecNode>();
        var links = new List<RSpecLink>();
        foreach (var element in root.Elements())
        {
            if (element.Name == N.Node)
            {
                if (ParseNode(element) is not { } node)
                {
                    return null;
                }

                nodes.Add(node);
            }
            else if (element.Name == N.Link)
            {
                if (ParseLink(element) is not { } link)
                {
                    return null;
                }

                links.Add(link);
            }
        }

        // Links may come before the nodes they join, so what they name is checked once every node is read.
        return CheckLinkEnds() ? new RequestRSpec(ValueList.From(nodes), ValueList.From(links)) : null;
    }

    private RSpecNode? ParseNode(XElement element)
    {
        if (ClientId(element) is not { } clientId || !TryExclusive(element, out var exclusive) || !TrySliverType(element, out var sliverType))
        {
            return null;
        }

        var installs = new List<InstallService>();
        var executes = new List<ExecuteService>();
        foreach (var service in element.Elements(N.Services).Elements())
        {
            if (service.Name == N.Install)
            {
                if (Required(service, N.Url) is not { } url || Required(service, N.InstallPath) is not { } path)
                {
                    return null;
                }

                installs.Add(new InstallService(url, path));
            }
            else if (service.Name == N.Execute)
            {
                if (Required(service, N.Shell) is not { } shell || Required(service, N.Command) is not { } command)
                {
                    return null;
                }

                executes.Add(new ExecuteService(shell, command));
            }
        }

        var interfaces = new List<RSpecInterface>();
        foreach (var child in element.Elements(N.Interface))
        {
            if (ClientId(child) is not { } interfaceId || !TryIp(child, out var ip))
            {
                return null;
            }

            _interfaces.Add(interfaceId);
            interfaces.Add(new RSpecInterface(interfaceId, ip));
        }

        return new RSpecNode(
            clientId,
            element.Attribute(N.ComponentManagerId)?.Value,
            exclusive,
            sliverType,
            ValueList.From(installs),
            ValueList.From(executes),
            ValueList.From(interfaces));
    }

    private bool TryExclusive(XElement node, out bool? exclusive)
    {
        exclusive = null;
        if (node.Attribute(N.Exclusive) is not { } attribute)
        {
            return true;
        }

        // xs:boolean
        exclusive = attribute.Value.Trim() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => null,
        };
        return exclusive is not null
            || Fail(RSpecErrorKind.InvalidValue, attribute, $"exclusive is '{attribute.Value}', not true or false");
    }

    private bool TrySliverType(XElement node, out SliverType? sliverType)
    {
        sliverType = null;
        if (!TrySingle(node, N.SliverType, "a node has one sliver_type", out var element))
        {
            return false;
        }

        if (element is null)
        {
            return true;
        }

        if (Required(element, N.Name) is not { } name || !TrySingle(element, N.DiskImage, "a sliver_type has one disk_image", out var image))
        {
            return false;
        }

        string? imageName = null;
        if (image is not null && (imageName = Required(image, N.Name)) is null)
        {
            return false;
        }

        sliverType = new SliverType(name, imageName);
        return true;
    }

    private bool TryIp(XElement interfaceElement, out InterfaceIp? ip)
    {
        ip = null;
        if (!TrySingle(interfaceElement, N.Ip, "an interface has one ip here", out var element))
        {
            return false;
        }

        if (element is null)
        {
            return true;
        }

        if (element.Attribute(N.Type) is { } type && !type.Value.Equals(N.Ipv4, StringComparison.OrdinalIgnoreCase))
        {
            return Fail(RSpecErrorKind.Unsupported, type, $"ip type '{type.Value}' is not supported: only {N.Ipv4}");
        }

        if (Required(element, N.Address) is not { } addressText || Required(element, N.Netmask) is not { } netmaskText)
        {
            return false;
        }

        if (!Ipv4Address.TryParse(addressText.Trim(), out var address))
        {
            return Fail(RSpecErrorKind.InvalidAddress, element.Attribute(N.Address)!, $"'{addressText}' is not an IPv4 address");
        }

        if (!TryPrefixLength(netmaskText.Trim(), out var length))
        {
            return Fail(RSpecErrorKind.InvalidNetmask, element.Attribute(N.Netmask)!, $"'{netmaskText}' is not a netmask such as 255.255.255.0");
        }

        ip = new InterfaceIp(address, length);
        return true;
    }

    /// <summary>A netmask is ones then zeros; 0.0.0.0 is refused, no interface lives on /0.</summary>
    private static bool TryPrefixLength(string text, out int length)
    {
        length = 0;
        if (!Ipv4Address.TryParse(text, out var mask) || mask.Value == 0)
        {
            return false;
        }

        var inverted = ~mask.Value;
        if ((inverted & (inverted + 1)) != 0)
        {
            return false;
        }

        length = BitOperations.PopCount(mask.Value);
        return true;
    }

    private RSpecLink? ParseLink(XElement element)
    {
        if (ClientId(element) is not { } clientId)
        {
            return null;
        }

        var refs = new List<string>();
        foreach (var reference in element.Elements(N.InterfaceRef))
        {
            if (Required(reference, N.ClientId) is not { } interfaceId)
            {
                return null;
            }

            refs.Add(interfaceId);
            _interfaceRefs.Add((clientId, reference.Attribute(N.ClientId)!));
        }

        if (!TrySingle(element, N.LinkType, "a link has one link_type", out var typeElement))
        {
            return null;
        }

        string? linkType = null;
        if (typeElement is not null && (linkType = Required(typeElement, N.Name)) is null)
        {
            return null;
        }

        var properties = new List<LinkProperty>();
        foreach (var property in element.Elements(N.Property))
        {
            if (ParseProperty(clientId, property) is not { } parsed)
            {
                return null;
            }

            properties.Add(parsed);
        }

        return new RSpecLink(clientId, ValueList.From(refs), linkType, ValueList.From(properties));
    }

    private LinkProperty? ParseProperty(string link, XElement element)
    {
        if (Required(element, N.SourceId) is not { } source
            || Required(element, N.DestId) is not { } destination
            || !TryCount(element, N.Capacity, out var capacity)
            || !TryCount(element, N.Latency, out var latency)
            || !TryFraction(element, N.PacketLoss, out var loss))
        {
            return null;
        }

        _propertyEnds.Add((link, element.Attribute(N.SourceId)!));
        _propertyEnds.Add((link, element.Attribute(N.DestId)!));
        return new LinkProperty(source, destination, capacity, latency, loss);
    }

    private bool TryCount(XElement element, XName name, out long? value)
    {
        value = null;
        if (element.Attribute(name) is not { } attribute)
        {
            return true;
        }

        if (long.TryParse(attribute.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            value = number;
            return true;
        }

        return Fail(RSpecErrorKind.InvalidNumber, attribute, $"{name} is '{attribute.Value}', not a whole number of zero or more");
    }

    private bool TryFraction(XElement element, XName name, out double? value)
    {
        value = null;
        if (element.Attribute(name) is not { } attribute)
        {
            return true;
        }

        if (double.TryParse(attribute.Value.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number)
            && number <= 1)
        {
            value = number;
            return true;
        }

        return Fail(RSpecErrorKind.InvalidNumber, attribute, $"{name} is '{attribute.Value}', not a fraction from 0 to 1");
    }

    private bool CheckLinkEnds()
    {
        var linkOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (link, attribute) in _interfaceRefs)
        {
            var id = attribute.Value;
            if (!_interfaces.Contains(id))
            {
                return Fail(RSpecErrorKind.UnknownInterface, attribute, $"link '{link}' joins interface '{id}', which no node has");
            }

            if (linkOf.TryGetValue(id, out var other))
            {
                return Fail(RSpecErrorKind.InterfaceAlreadyLinked, attribute,
                    other == link ? $"link '{link}' names interface '{id}' twice" : $"interface '{id}' is joined by link '{other}' already, so link '{link}' cannot join it");
            }

            linkOf[id] = link;
        }

        foreach (var (link, attribute) in _propertyEnds)
        {
            if (!linkOf.TryGetValue(attribute.Value, out var owner) || owner != link)
            {
                return Fail(RSpecErrorKind.UnknownInterface, attribute, $"a property of link '{link}' names interface '{attribute.Value}', which the link does not join");
            }
        }

        return true;
    }

    /// <summary>The element's client id, which must be there and not used before.</summary>
    private string? ClientId(XElement element)
    {
        if (Required(element, N.ClientId) is not { } id)
        {
            return null;
        }

        var attribute = element.Attribute(N.ClientId)!;
        if (_clientIds.TryGetValue(id, out var first))
        {
            return Fail<string>(RSpecErrorKind.DuplicateClientId, attribute, $"client_id '{id}' is used already, on line {Position(first).Line}");
        }

        _clientIds.Add(id, attribute);
        return id;
    }

    private string? Required(XElement element, XName name)
    {
        var attribute = element.Attribute(name);
        if (attribute is null)
        {
            return Fail<string>(RSpecErrorKind.MissingAttribute, element, $"<{element.Name.LocalName}> has no {name}");
        }

        return string.IsNullOrWhiteSpace(attribute.Value)
            ? Fail<string>(RSpecErrorKind.MissingAttribute, attribute, $"<{element.Name.LocalName}> has an empty {name}")
            : attribute.Value;
    }

    /// <summary>
    /// The child called <paramref name="name"/> when there is one, <see langword="null"/> when there
    /// is none; <see langword="false"/> (and an error) when there are more.
    /// </summary>
    private bool TrySingle(XElement parent, XName name, string rule, out XElement? element)
    {
        element = null;
        foreach (var child in parent.Elements(name))
        {
            if (element is not null)
            {
                element = null;
                return Fail(RSpecErrorKind.Unsupported, child, $"a second <{name.LocalName}>: {rule}");
            }

            element = child;
        }

        return true;
    }

    private T? Fail<T>(RSpecErrorKind kind, IXmlLineInfo where, string message)
        where T : class
    {
        Fail(kind, where, message);
        return null;
    }

    private bool Fail(RSpecErrorKind kind, IXmlLineInfo where, string message)
    {
        var (line, column) = Position(where);
        _error ??= new RSpecError(kind, message, line, column);
        return false;
    }

    private static (int Line, int Column) Position(IXmlLineInfo info) =>
        info.HasLineInfo() ? (info.LineNumber, info.LinePosition) : (0, 0);
}
