using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using N = NetServ.RSpec.RSpecNames;

namespace NetServ.RSpec;

/// <summary>
/// Writes a <see cref="RequestRSpec"/> as a GENI RSpec v3 request document, which
/// <see cref="RSpecReader"/> reads back equal. The writer does not check the request: a request
/// built in code with, say, a duplicate client id is written as it is, and the reader refuses it.
/// </summary>
public static class RSpecWriter
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The request as an XML document.</summary>
    public static XDocument ToDocument(RequestRSpec request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var root = new XElement(
            N.Rspec,
            new XAttribute(XNamespace.Xmlns + "xsi", N.Xsi),
            new XAttribute(N.Xsi + "schemaLocation", N.SchemaLocation),
            new XAttribute(N.Type, N.RequestType),
            request.Nodes.Select(NodeElement),
            request.Links.Select(LinkElement));
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
            node.Exclusive is { } exclusive ? new XAttribute(N.Exclusive, exclusive ? "true" : "false") : null,
            node.SliverType is { } sliver
                ? new XElement(N.SliverType, new XAttribute(N.Name, sliver.Name), sliver.DiskImage is { } image ? new XElement(N.DiskImage, new XAttribute(N.Name, image)) : null)
                : null,
            node.Installs.Count + node.Executes.Count > 0
                ? new XElement(
                    N.Services,
                    node.Installs.Select(i => new XElement(N.Install, new XAttribute(N.Url, i.Url), new XAttribute(N.InstallPath, i.InstallPath))),
                    node.Executes.Select(e => new XElement(N.Execute, new XAttribute(N.Shell, e.Shell), new XAttribute(N.Command, e.Command))))
                : null,
            node.Interfaces.Select(InterfaceElement));

    private static XElement InterfaceElement(RSpecInterface entry) =>
        new(
            N.Interface,
            new XAttribute(N.ClientId, entry.ClientId),
            entry.Ip is { } ip
                ? new XElement(N.Ip, new XAttribute(N.Address, ip.Address.ToString()), new XAttribute(N.Netmask, ip.Netmask.ToString()), new XAttribute(N.Type, N.Ipv4))
                : null);

    private static XElement LinkElement(RSpecLink link) =>
        new(
            N.Link,
            new XAttribute(N.ClientId, link.ClientId),
            link.InterfaceRefs.Select(id => new XElement(N.InterfaceRef, new XAttribute(N.ClientId, id))),
            link.LinkType is { } type ? new XElement(N.LinkType, new XAttribute(N.Name, type)) : null,
            link.Properties.Select(PropertyElement));

    private static XElement PropertyElement(LinkProperty property) =>
        new(
            N.Property,
            new XAttribute(N.SourceId, property.SourceId),
            new XAttribute(N.DestId, property.DestinationId),
            Optional(N.Capacity, property.CapacityKbps?.ToString(CultureInfo.InvariantCulture)),
            Optional(N.Latency, property.LatencyMs?.ToString(CultureInfo.InvariantCulture)),
            // "R": the shortest text that parses back to the same double.
            Optional(N.PacketLoss, property.PacketLoss?.ToString("R", CultureInfo.InvariantCulture)));

    private static XAttribute? Optional(XName name, string? value) => value is null ? null : new XAttribute(name, value);
}
