using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using NetServ.Networking;
using N = NetServ.RSpec.RSpecNames;

namespace NetServ.RSpec;

/// <summary>
/// Writes a <see cref="RequestRSpec"/> as a GENI RSpec v3 request document, which
/// <see cref="RSpecReader"/> reads back equal. Extensions the reader kept are written back where they
/// were read (after the modelled attributes and children of their element), so that read then write
/// keeps what the document meant. The writer does not check the request: a request
/// built in code with, say, a duplicate client id is written as it is, and the reader refuses it.
/// </summary>
public static class RSpecWriter
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The request as an XML document, its extensions where they were read.</summary>
    public static XDocument ToDocument(RequestRSpec request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var root = new XElement(N.Rspec, new XAttribute(N.Type, N.RequestType));
        if (!request.Extensions.Attributes.Any(a => a.Name == N.Xsi + "schemaLocation"))
        {
            root.Add(new XAttribute(N.Xsi + "schemaLocation", N.SchemaLocation));
        }

        root.Add(
            Attributes(request.Extensions),
            request.Nodes.Select(NodeElement),
            request.Links.Select(LinkElement),
            Elements(request.Extensions));
        DeclareNamespaces(root, request);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    /// <summary>The request as indented UTF-8 XML text.</summary>
    public static string Write(RequestRSpec request)
    {
        using var buffer = new MemoryStream();
        Write(request, buffer);
        return Utf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes the request to <paramref name="stream"/> as indented UTF-8 XML (no byte order mark). The stream is left open.</summary>
    public static void Write(RequestRSpec request, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var document = ToDocument(request);
        var settings = new XmlWriterSettings
        {
            Encoding = Utf8,
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            CloseOutput = false,
        };
        using (var writer = XmlWriter.Create(stream, settings))
        {
            document.Save(writer);
        }

        stream.Write("\n"u8);
    }

    private static XElement NodeElement(RSpecNode node) =>
        new(
            N.Node,
            new XAttribute(N.ClientId, node.ClientId),
            Optional(N.ComponentManagerId, node.ComponentManagerId),
            Optional(N.ComponentId, node.ComponentId),
            node.Exclusive is { } exclusive ? new XAttribute(N.Exclusive, exclusive ? "true" : "false") : null,
            Attributes(node.Extensions),
            node.SliverType is { } sliver ? SliverTypeElement(sliver) : null,
            node.HardwareType is { } hardware ? new XElement(N.HardwareType, new XAttribute(N.Name, hardware)) : null,
            node.RoutableControlIp ? new XElement(N.RoutableControlIp) : null,
            node.Installs.Count + node.Executes.Count > 0 || !node.ServicesExtensions.IsEmpty
                ? new XElement(
                    N.Services,
                    Attributes(node.ServicesExtensions),
                    node.Installs.Select(i => new XElement(N.Install, new XAttribute(N.Url, i.Url), new XAttribute(N.InstallPath, i.InstallPath), Content(i.Extensions))),
                    node.Executes.Select(e => new XElement(N.Execute, new XAttribute(N.Shell, e.Shell), new XAttribute(N.Command, e.Command), Content(e.Extensions))),
                    Elements(node.ServicesExtensions))
                : null,
            node.Interfaces.Select(InterfaceElement),
            Elements(node.Extensions));

    private static XElement SliverTypeElement(SliverType sliver) =>
        new(
            N.SliverType,
            new XAttribute(N.Name, sliver.Name),
            Attributes(sliver.Extensions),
            sliver.DiskImage is { } image
                ? new XElement(
                    N.DiskImage,
                    Optional(N.Name, image.Name),
                    Optional(N.Url, image.Url),
                    Optional(N.Os, image.Os),
                    Optional(N.Version, image.Version),
                    Content(image.Extensions))
                : null,
            Elements(sliver.Extensions));

    private static XElement InterfaceElement(RSpecInterface entry) =>
        new(
            N.Interface,
            new XAttribute(N.ClientId, entry.ClientId),
            Attributes(entry.Extensions),
            entry.Ips.Select(IpElement),
            Elements(entry.Extensions));

    private static XElement IpElement(RSpecIp ip) =>
        new(
            N.Ip,
            new XAttribute(N.Address, ip.Address.ToString()),
            ip.PrefixLength is not { } length ? null
                : new XAttribute(N.Netmask, ip.IsIpv6 ? length.ToString(CultureInfo.InvariantCulture) : new InterfaceIp(Ipv4Address.FromIPAddress(ip.Address), length).Netmask.ToString()),
            new XAttribute(N.Type, ip.IsIpv6 ? N.Ipv6 : N.Ipv4),
            Content(ip.Extensions));

    private static XElement LinkElement(RSpecLink link) =>
        new(
            N.Link,
            new XAttribute(N.ClientId, link.ClientId),
            Attributes(link.Extensions),
            link.InterfaceRefs.Select((id, i) => new XElement(
                N.InterfaceRef,
                new XAttribute(N.ClientId, id),
                i < link.InterfaceRefExtensions.Count ? Content(link.InterfaceRefExtensions[i]) : null)),
            link.LinkType is { } type ? new XElement(N.LinkType, new XAttribute(N.Name, type), Content(link.LinkTypeExtensions)) : null,
            link.Properties.Select(PropertyElement),
            Elements(link.Extensions));

    private static XElement PropertyElement(LinkProperty property) =>
        new(
            N.Property,
            new XAttribute(N.SourceId, property.SourceId),
            new XAttribute(N.DestId, property.DestinationId),
            // "R": the shortest text that parses back to the same double.
            Optional(N.Capacity, property.CapacityKbps?.ToString("R", CultureInfo.InvariantCulture)),
            Optional(N.Latency, property.LatencyMs?.ToString("R", CultureInfo.InvariantCulture)),
            Optional(N.PacketLoss, property.PacketLoss?.ToString("R", CultureInfo.InvariantCulture)),
            Content(property.Extensions));

    private static XAttribute? Optional(XName name, string? value) => value is null ? null : new XAttribute(name, value);

    private static IEnumerable<XAttribute> Attributes(RSpecExtensions extensions) => extensions.Attributes.Select(a => new XAttribute(a.Name, a.Value));

    private static IEnumerable<XElement> Elements(RSpecExtensions extensions) => extensions.Elements.Select(e => e.ToElement());

    private static IEnumerable<XObject> Content(RSpecExtensions extensions) => [.. Attributes(extensions), .. Elements(extensions)];

    /// <summary>
    /// Declares at the root every namespace the document uses: under the prefix the read document
    /// used, or the one the tools use, when free; otherwise under a made-up one (what matters is the namespace).
    /// </summary>
    private static void DeclareNamespaces(XElement root, RequestRSpec request)
    {
        var hints = new Dictionary<XNamespace, string>();
        foreach (var (ns, hint) in AllElementExtensions(request).SelectMany(e => e.Prefixes))
        {
            hints.TryAdd(ns, hint);
        }

        var prefixes = new HashSet<string>(StringComparer.Ordinal) { "xml", "xmlns" };
        var used = root.DescendantsAndSelf()
            .SelectMany(e => e.Attributes().Select(a => a.Name.Namespace).Prepend(e.Name.Namespace))
            .Where(ns => ns != XNamespace.None && ns != N.Namespace && ns != XNamespace.Xml)
            .Distinct()
            .ToArray();
        var declarations = new List<XAttribute>();
        foreach (var ns in used)
        {
            var prefix = hints.TryGetValue(ns, out var hint) && !prefixes.Contains(hint) ? hint
                : N.KnownPrefixes.TryGetValue(ns, out var known) && !prefixes.Contains(known) ? known
                : null;
            for (var n = 1; prefix is null; n++)
            {
                prefix = prefixes.Contains($"ns{n}") ? null : $"ns{n}";
            }

            prefixes.Add(prefix);
            declarations.Add(new XAttribute(XNamespace.Xmlns + prefix, ns.NamespaceName));
        }

        // Declarations first, as tools write them.
        root.ReplaceAttributes([.. declarations, .. root.Attributes().ToArray()]);
    }

    private static IEnumerable<ElementExtension> AllElementExtensions(RequestRSpec request)
    {
        IEnumerable<RSpecExtensions> all =
        [
            request.Extensions,
            .. request.Nodes.SelectMany(n => (IEnumerable<RSpecExtensions?>)
            [
                n.Extensions, n.ServicesExtensions, n.SliverType?.Extensions, n.SliverType?.DiskImage?.Extensions,
                .. n.Installs.Select(i => i.Extensions), .. n.Executes.Select(e => e.Extensions),
                .. n.Interfaces.Select(i => i.Extensions), .. n.Interfaces.SelectMany(i => i.Ips).Select(ip => ip.Extensions),
            ]).OfType<RSpecExtensions>(),
            .. request.Links.SelectMany(l => (IEnumerable<RSpecExtensions>)
                [l.Extensions, l.LinkTypeExtensions, .. l.InterfaceRefExtensions, .. l.Properties.Select(p => p.Extensions)]),
        ];
        return all.SelectMany(e => e.Elements);
    }
}
