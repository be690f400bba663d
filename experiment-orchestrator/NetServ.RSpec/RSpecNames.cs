using System.Xml.Linq;

namespace NetServ.RSpec;

/// <summary>The element and attribute names of RSpec v3, shared by the reader and the writer so they cannot drift apart.</summary>
internal static class RSpecNames
{
    /// <summary>The RSpec v3 namespace.</summary>
    public static readonly XNamespace Namespace = "http://www.geni.net/resources/rspec/3";

    /// <summary>The emulab extension namespace (for <c>routable_control_ip</c>).</summary>
    public static readonly XNamespace Emulab = "http://www.protogeni.net/resources/rspec/ext/emulab/1";

    /// <summary>The XML Schema instance namespace (for <c>xsi:schemaLocation</c>).</summary>
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>Where the request schema is, as written into <c>xsi:schemaLocation</c>.</summary>
    public const string SchemaLocation = "http://www.geni.net/resources/rspec/3 http://www.geni.net/resources/rspec/3/request.xsd";

    /// <summary>The value of the root's <c>type</c> attribute in a request.</summary>
    public const string RequestType = "request";

    public static readonly XName Rspec = Namespace + "rspec";
    public static readonly XName Node = Namespace + "node";
    public static readonly XName SliverType = Namespace + "sliver_type";
    public static readonly XName DiskImage = Namespace + "disk_image";
    public static readonly XName Services = Namespace + "services";
    public static readonly XName Install = Namespace + "install";
    public static readonly XName Execute = Namespace + "execute";
    public static readonly XName Interface = Namespace + "interface";
    public static readonly XName Ip = Namespace + "ip";
    public static readonly XName Link = Namespace + "link";
    public static readonly XName InterfaceRef = Namespace + "interface_ref";
    public static readonly XName LinkType = Namespace + "link_type";
    public static readonly XName Property = Namespace + "property";
    public static readonly XName HardwareType = Namespace + "hardware_type";
    public static readonly XName RoutableControlIp = Emulab + "routable_control_ip";
    public static readonly XName Login = Namespace + "login";
    public static readonly XName Host = Namespace + "host";

    // Attributes are unqualified in RSpec v3.
    public static readonly XName Type = "type";
    public static readonly XName ClientId = "client_id";
    public static readonly XName ComponentManagerId = "component_manager_id";
    public static readonly XName ComponentId = "component_id";
    public static readonly XName Exclusive = "exclusive";
    public static readonly XName Name = "name";
    public static readonly XName Url = "url";
    public static readonly XName Os = "os";
    public static readonly XName Version = "version";
    public static readonly XName InstallPath = "install_path";
    public static readonly XName Shell = "shell";
    public static readonly XName Command = "command";
    public static readonly XName Address = "address";
    public static readonly XName Netmask = "netmask";
    public static readonly XName SourceId = "source_id";
    public static readonly XName DestId = "dest_id";
    public static readonly XName Capacity = "capacity";
    public static readonly XName Latency = "latency";
    public static readonly XName PacketLoss = "packet_loss";
    public static readonly XName SliverId = "sliver_id";
    public static readonly XName MacAddress = "mac_address";
    public static readonly XName Authentication = "authentication";
    public static readonly XName Hostname = "hostname";
    public static readonly XName Port = "port";
    public static readonly XName Username = "username";

    /// <summary>The value of the root's <c>type</c> attribute in a manifest.</summary>
    public const string ManifestType = "manifest";

    /// <summary>The address type of an <c>&lt;ip&gt;</c> that says none (the schema's default).</summary>
    public const string Ipv4 = "ipv4";

    /// <summary>The other address type (<c>&lt;ip type="ipv6"&gt;</c>).</summary>
    public const string Ipv6 = "ipv6";

    /// <summary>Prefixes the writer declares for namespaces it knows, so written documents read as the tools write them.</summary>
    public static readonly IReadOnlyDictionary<XNamespace, string> KnownPrefixes = new Dictionary<XNamespace, string>
    {
        [Emulab] = "emulab",
        ["http://www.geni.net/resources/rspec/ext/openflow/3"] = "openflow",
        ["http://www.protogeni.net/resources/rspec/ext/delay/1"] = "delay",
        ["http://www.geni.net/resources/rspec/ext/stitch/3"] = "stitch",
        [Xsi] = "xsi",
    };
}
