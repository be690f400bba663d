using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using System.Xml;
using System.Xml.Linq;
using NetServ.Networking;
using N = NetServ.RSpec.RSpecNames;

namespace NetServ.RSpec;

/// <summary>
/// Turns a loaded document into a <see cref="RequestRSpec"/>, stopping at the first thing that is
/// wrong and saying where it is. Elements and attributes it does not model (extensions in other
/// namespaces, <c>location</c>, <c>mac_address</c>…) are kept as <see cref="RSpecExtensions"/> on the
/// element they were found in.
/// </summary>
internal sealed class RequestParser
{
    private static readonly XName[] RootAttributes = [N.Type];
    private static readonly XName[] RootChildren = [N.Node, N.Link];
    private static readonly XName[] NodeAttributes = [N.ClientId, N.ComponentManagerId, N.ComponentId, N.Exclusive];
    private static readonly XName[] NodeChildren = [N.SliverType, N.Services, N.Interface, N.HardwareType, N.RoutableControlIp];
    private static readonly XName[] ServicesChildren = [N.Install, N.Execute];
    private static readonly XName[] InstallAttributes = [N.Url, N.InstallPath];
    private static readonly XName[] ExecuteAttributes = [N.Shell, N.Command];
    private static readonly XName[] SliverTypeChildren = [N.DiskImage];
    private static readonly XName[] DiskImageAttributes = [N.Name, N.Url, N.Os, N.Version];
    private static readonly XName[] InterfaceChildren = [N.Ip];
    private static readonly XName[] IpAttributes = [N.Address, N.Netmask, N.Type];
    private static readonly XName[] LinkChildren = [N.InterfaceRef, N.LinkType, N.Property];
    private static readonly XName[] PropertyAttributes = [N.SourceId, N.DestId, N.Capacity, N.Latency, N.PacketLoss];
    private static readonly XName[] ClientIdOnly = [N.ClientId];
    private static readonly XName[] NameOnly = [N.Name];

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
        return CheckLinkEnds()
            ? new RequestRSpec(ValueList.From(nodes), ValueList.From(links)) { Extensions = RootExtensions(root) }
            : null;
    }

    private RSpecNode? ParseNode(XElement element)
    {
        if (ClientId(element) is not { } clientId
            || !TryExclusive(element, out var exclusive)
            || !TrySliverType(element, out var sliverType)
            || !TrySingle(element, N.HardwareType, "a node has one hardware_type here", out var hardwareType))
        {
            return null;
        }

        string? hardwareTypeName = null;
        if (hardwareType is not null && (hardwareTypeName = Required(hardwareType, N.Name)) is null)
        {
            return null;
        }

        var installs = new List<InstallService>();
        var executes = new List<ExecuteService>();
        var services = element.Elements(N.Services).ToArray();
        foreach (var service in services.Elements())
        {
            if (service.Name == N.Install)
            {
                if (Required(service, N.Url) is not { } url || Required(service, N.InstallPath) is not { } path)
                {
                    return null;
                }

                installs.Add(new InstallService(url, path) { Extensions = Extensions(service, InstallAttributes, []) });
            }
            else if (service.Name == N.Execute)
            {
                if (Required(service, N.Shell) is not { } shell || Required(service, N.Command) is not { } command)
                {
                    return null;
                }

                executes.Add(new ExecuteService(shell, command) { Extensions = Extensions(service, ExecuteAttributes, []) });
            }
        }

        var interfaces = new List<RSpecInterface>();
        foreach (var child in element.Elements(N.Interface))
        {
            if (ClientId(child) is not { } interfaceId || ParseIps(child) is not { } ips)
            {
                return null;
            }

            _interfaces.Add(interfaceId);
            interfaces.Add(new RSpecInterface(interfaceId, ips) { Extensions = Extensions(child, ClientIdOnly, InterfaceChildren) });
        }

        return new RSpecNode(
            clientId,
            element.Attribute(N.ComponentManagerId)?.Value,
            exclusive,
            sliverType,
            ValueList.From(installs),
            ValueList.From(executes),
            ValueList.From(interfaces))
        {
            ComponentId = element.Attribute(N.ComponentId)?.Value,
            HardwareType = hardwareTypeName,
            RoutableControlIp = element.Element(N.RoutableControlIp) is not null,
            ServicesExtensions = Merge(services.Select(s => Extensions(s, [], ServicesChildren))),
            Extensions = Extensions(element, NodeAttributes, NodeChildren),
        };
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

        DiskImage? diskImage = null;
        if (image is not null)
        {
            // Tutorials name custom images by URL alone; one of the two is needed to say which image.
            var imageName = Optional(image, N.Name);
            var url = Optional(image, N.Url);
            if (imageName is null && url is null)
            {
                return Fail(RSpecErrorKind.MissingAttribute, image, "<disk_image> has neither a name nor a url");
            }

            diskImage = new DiskImage(imageName, url, Optional(image, N.Os), Optional(image, N.Version))
            {
                Extensions = Extensions(image, DiskImageAttributes, []),
            };
        }

        sliverType = new SliverType(name, diskImage) { Extensions = Extensions(element, NameOnly, SliverTypeChildren) };
        return true;
    }

    /// <summary>The interface's addresses: none, one or several, IPv4 (the default type) or IPv6, each with or without a netmask.</summary>
    private ValueList<RSpecIp>? ParseIps(XElement interfaceElement)
    {
        var ips = new List<RSpecIp>();
        foreach (var element in interfaceElement.Elements(N.Ip))
        {
            // Graphical editors write type="" for the default.
            var type = element.Attribute(N.Type);
            var typeText = type?.Value.Trim() ?? string.Empty;
            var ipv6 = typeText.Equals(N.Ipv6, StringComparison.OrdinalIgnoreCase);
            if (!ipv6 && typeText.Length > 0 && !typeText.Equals(N.Ipv4, StringComparison.OrdinalIgnoreCase))
            {
                return Fail<ValueList<RSpecIp>>(RSpecErrorKind.Unsupported, type!, $"ip type '{type!.Value}' is not supported: {N.Ipv4} (the default) or {N.Ipv6}");
            }

            if (Required(element, N.Address) is not { } addressText)
            {
                return null;
            }

            var address = ipv6 ? ParseIpv6(addressText.Trim()) : ParseIpv4(addressText.Trim());
            if (address is null)
            {
                var hint = !ipv6 && type is null && IPAddress.TryParse(addressText.Trim(), out _) ? $" (an IPv6 address says type=\"{N.Ipv6}\")" : string.Empty;
                return Fail<ValueList<RSpecIp>>(RSpecErrorKind.InvalidAddress, element.Attribute(N.Address)!,
                    $"'{addressText}' is not an {(ipv6 ? "IPv6" : "IPv4")} address{hint}");
            }

            int? length = null;
            if (Optional(element, N.Netmask) is { } netmaskText)
            {
                if (!(ipv6 ? TryIpv6PrefixLength(netmaskText.Trim(), out var parsed) : TryPrefixLength(netmaskText.Trim(), out parsed)))
                {
                    return Fail<ValueList<RSpecIp>>(RSpecErrorKind.InvalidNetmask, element.Attribute(N.Netmask)!,
                        ipv6 ? $"'{netmaskText}' is not an IPv6 prefix length such as 64" : $"'{netmaskText}' is not a netmask such as 255.255.255.0");
                }

                length = parsed;
            }

            ips.Add(new RSpecIp(address, length) { Extensions = Extensions(element, IpAttributes, []) });
        }

        return ValueList.From(ips);
    }

    internal static IPAddress? ParseIpv4(string text) => Ipv4Address.TryParse(text, out var address) ? address.ToIPAddress() : null;

    internal static IPAddress? ParseIpv6(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? address : null;

    /// <summary>An IPv6 netmask as GENI tools write it: a prefix length (<c>64</c>, <c>/64</c>) or a mask (<c>ffff:ffff:ffff:ffff::</c>).</summary>
    internal static bool TryIpv6PrefixLength(string text, out int length)
    {
        if (int.TryParse(text.AsSpan(text.StartsWith('/') ? 1 : 0), NumberStyles.None, CultureInfo.InvariantCulture, out length))
        {
            return length is > 0 and <= 128;
        }

        if (ParseIpv6(text) is not { } mask)
        {
            return false;
        }

        var value = BinaryPrimitives.ReadUInt128BigEndian(mask.GetAddressBytes());
        var inverted = ~value;
        length = (int)UInt128.PopCount(value);
        return value != UInt128.Zero && (inverted & (inverted + UInt128.One)) == UInt128.Zero;
    }

    /// <summary>A netmask is ones then zeros; 0.0.0.0 is refused, no interface lives on /0.</summary>
    internal static bool TryPrefixLength(string text, out int length)
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
        var refExtensions = new List<RSpecExtensions>();
        foreach (var reference in element.Elements(N.InterfaceRef))
        {
            if (Required(reference, N.ClientId) is not { } interfaceId)
            {
                return null;
            }

            refs.Add(interfaceId);
            refExtensions.Add(Extensions(reference, ClientIdOnly, []));
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

        return new RSpecLink(clientId, ValueList.From(refs), linkType, ValueList.From(properties))
        {
            InterfaceRefExtensions = refExtensions.TrueForAll(e => e.IsEmpty) ? [] : ValueList.From(refExtensions),
            LinkTypeExtensions = typeElement is null ? RSpecExtensions.None : Extensions(typeElement, NameOnly, []),
            Extensions = Extensions(element, ClientIdOnly, LinkChildren),
        };
    }

    private LinkProperty? ParseProperty(string link, XElement element)
    {
        if (Required(element, N.SourceId) is not { } source
            || Required(element, N.DestId) is not { } destination
            || !TryNumber(element, N.Capacity, double.PositiveInfinity, "a number of kilobits per second", out var capacity)
            || !TryNumber(element, N.Latency, double.PositiveInfinity, "a number of milliseconds", out var latency)
            || !TryNumber(element, N.PacketLoss, 1, "a fraction from 0 to 1", out var loss))
        {
            return null;
        }

        _propertyEnds.Add((link, element.Attribute(N.SourceId)!));
        _propertyEnds.Add((link, element.Attribute(N.DestId)!));
        return new LinkProperty(source, destination, capacity, latency, loss) { Extensions = Extensions(element, PropertyAttributes, []) };
    }

    /// <summary>A number from 0 to <paramref name="maximum"/>, with or without a fraction (geni-lib writes <c>1000000.0</c>).</summary>
    private bool TryNumber(XElement element, XName name, double maximum, string what, out double? value)
    {
        value = null;
        if (element.Attribute(name) is not { } attribute)
        {
            return true;
        }

        if (double.TryParse(attribute.Value.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number)
            && number <= maximum)
        {
            value = number;
            return true;
        }

        return Fail(RSpecErrorKind.InvalidNumber, attribute, $"{name} is '{attribute.Value}', not {what}");
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
            // geni-lib names the LAN itself as dest_id when it shapes a whole LAN.
            if (attribute.Value != link && (!linkOf.TryGetValue(attribute.Value, out var owner) || owner != link))
            {
                return Fail(RSpecErrorKind.UnknownInterface, attribute,
                    $"a property of link '{link}' names '{attribute.Value}', which is neither an interface the link joins nor the link itself");
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

    /// <summary>The attribute's value, or <see langword="null"/> when it is missing or empty (as editors write optional attributes they leave unset).</summary>
    private static string? Optional(XElement element, XName name) =>
        element.Attribute(name)?.Value is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>The root's extensions, but for the schema location every request has (which the writer writes anyway).</summary>
    private static RSpecExtensions RootExtensions(XElement root)
    {
        var extensions = Extensions(root, RootAttributes, RootChildren);
        var standard = extensions.Attributes.FirstOrDefault(a =>
            a.Name == N.Xsi + "schemaLocation" && string.Join(' ', a.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) == N.SchemaLocation);
        return standard is null ? extensions : new RSpecExtensions(ValueList.From(extensions.Attributes.Where(a => a != standard)), extensions.Elements);
    }

    /// <summary>
    /// What <paramref name="element"/> holds beyond <paramref name="attributes"/> and <paramref name="children"/>.
    /// Namespace declarations are not kept: they spell names, the names themselves are kept.
    /// </summary>
    private static RSpecExtensions Extensions(XElement element, ReadOnlySpan<XName> attributes, ReadOnlySpan<XName> children)
    {
        var unknownAttributes = new List<AttributeExtension>();
        foreach (var attribute in element.Attributes())
        {
            if (!attribute.IsNamespaceDeclaration && !attributes.Contains(attribute.Name))
            {
                unknownAttributes.Add(new AttributeExtension(attribute.Name, attribute.Value));
            }
        }

        var unknownElements = new List<ElementExtension>();
        foreach (var child in element.Elements())
        {
            if (!children.Contains(child.Name))
            {
                unknownElements.Add(new ElementExtension(child));
            }
        }

        return unknownAttributes.Count + unknownElements.Count == 0
            ? RSpecExtensions.None
            : new RSpecExtensions(ValueList.From(unknownAttributes), ValueList.From(unknownElements));
    }

    private static RSpecExtensions Merge(IEnumerable<RSpecExtensions> parts)
    {
        var all = parts.Where(p => !p.IsEmpty).ToArray();
        return all.Length switch
        {
            0 => RSpecExtensions.None,
            1 => all[0],
            _ => new RSpecExtensions(ValueList.From(all.SelectMany(p => p.Attributes)), ValueList.From(all.SelectMany(p => p.Elements))),
        };
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
