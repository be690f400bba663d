using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using NetServ.RSpec;

namespace NetServ.Geni.LocalAggregate;

/// <summary>
/// The documents the aggregate writes: its advertisement (what it can give) and a slice's manifest
/// (the request as given, with the sliver ids, the nodes it got and how to log into them).
/// </summary>
internal static class AggregateRSpecs
{
    public static readonly XNamespace Rspec3 = "http://www.geni.net/resources/rspec/3";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    public const string RequestSchema = "http://www.geni.net/resources/rspec/3/request.xsd";
    public const string AdSchema = "http://www.geni.net/resources/rspec/3/ad.xsd";
    public const string ManifestSchema = "http://www.geni.net/resources/rspec/3/manifest.xsd";

    /// <summary>The advertisement: every node (or the free ones only), its sliver type and disk image, and whether it is free now.</summary>
    public static string Advertisement(AggregateOptions options, IReadOnlySet<string> used, bool availableOnly)
    {
        var root = new XElement(
            Rspec3 + "rspec",
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi.NamespaceName),
            new XAttribute(Xsi + "schemaLocation", $"{Rspec3.NamespaceName} {AdSchema}"),
            new XAttribute("type", "advertisement"));
        for (var i = 0; i < options.NodeCount; i++)
        {
            var componentId = ComponentId(options, i);
            var free = !used.Contains(componentId);
            if (availableOnly && !free)
            {
                continue;
            }

            root.Add(new XElement(
                Rspec3 + "node",
                new XAttribute("component_manager_id", options.AggregateUrn),
                new XAttribute("component_name", NodeName(i)),
                new XAttribute("component_id", componentId),
                new XAttribute("exclusive", "false"),
                new XElement(Rspec3 + "sliver_type", new XAttribute("name", options.SliverType), new XElement(Rspec3 + "disk_image", new XAttribute("name", options.DiskImage))),
                new XElement(Rspec3 + "available", new XAttribute("now", free ? "true" : "false"))));
        }

        return Text(root);
    }

    /// <summary>The manifest of <paramref name="request"/>: each node with its sliver, component and, once provisioned, its login service and interface addresses.</summary>
    public static string Manifest(AggregateOptions options, RequestRSpec request, IReadOnlyCollection<SliverState> slivers)
    {
        var root = RSpecWriter.ToDocument(request).Root!;
        root.SetAttributeValue("type", "manifest");
        root.SetAttributeValue(Xsi + "schemaLocation", $"{Rspec3.NamespaceName} {ManifestSchema}");
        var byClientId = slivers.ToDictionary(s => s.ClientId, StringComparer.Ordinal);
        foreach (var node in root.Elements(Rspec3 + "node").ToList())
        {
            if (!byClientId.TryGetValue((string?)node.Attribute("client_id") ?? "", out var sliver))
            {
                // A node of a request whose sliver is gone (deleted alone) is not in the manifest.
                node.Remove();
                continue;
            }

            node.SetAttributeValue("component_manager_id", options.AggregateUrn);
            node.SetAttributeValue("component_id", sliver.ComponentId);
            node.SetAttributeValue("sliver_id", sliver.SliverUrn);
            if (sliver.Login is { } login)
            {
                AddLogin(node, login);
            }
        }

        return Text(root);
    }

    public static string ComponentId(AggregateOptions options, int index) => $"urn:publicid:IDN+{options.AuthorityName}+node+{NodeName(index)}";

    /// <summary><c>geni_compressed</c>: the document zlib-compressed, then base64, as GENI clients expect it.</summary>
    public static string Compress(string document)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(Encoding.UTF8.GetBytes(document));
        }

        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string NodeName(int index) => $"node{index}";

    private static void AddLogin(XElement node, ProvisionedNode login)
    {
        var services = node.Element(Rspec3 + "services");
        if (services is null)
        {
            services = new XElement(Rspec3 + "services");
            node.AddFirst(services);
        }

        services.Add(new XElement(
            Rspec3 + "login",
            new XAttribute("authentication", "ssh-keys"),
            new XAttribute("hostname", login.LoginHost),
            new XAttribute("port", login.LoginPort),
            new XAttribute("username", login.Username)));
        foreach (var face in node.Elements(Rspec3 + "interface"))
        {
            if (face.Element(Rspec3 + "ip") is null
                && login.InterfaceAddresses.TryGetValue((string?)face.Attribute("client_id") ?? "", out var address)
                && IpElement(address) is { } ip)
            {
                face.Add(ip);
            }
        }
    }

    /// <summary><c>&lt;ip address netmask type="ipv4"&gt;</c> from <c>198.18.1.1/24</c>; <see langword="null"/> when it is not an IPv4 address with a prefix.</summary>
    private static XElement? IpElement(string address)
    {
        var parts = address.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], out var length) || length is < 0 or > 32)
        {
            return null;
        }

        var mask = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mask, length == 0 ? 0 : uint.MaxValue << (32 - length));
        return new XElement(Rspec3 + "ip", new XAttribute("address", ip.ToString()), new XAttribute("netmask", new IPAddress(mask).ToString()), new XAttribute("type", "ipv4"));
    }

    private static string Text(XElement root)
        => new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root.ToString() + "\n";
}
