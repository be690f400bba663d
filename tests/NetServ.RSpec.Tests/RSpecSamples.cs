using NetServ.Networking;

namespace NetServ.RSpec.Tests;

/// <summary>A request that uses every element and attribute the model has, as text and as the model it reads as.</summary>
internal static class RSpecSamples
{
    public const string Namespace = "http://www.geni.net/resources/rspec/3";

    public const string EveryElement = """
        <?xml version="1.0" encoding="utf-8"?>
        <rspec xmlns="http://www.geni.net/resources/rspec/3" type="request">
          <node client_id="sender" component_manager_id="urn:publicid:IDN+utah.cloudlab.us+authority+cm" exclusive="true">
            <sliver_type name="raw-pc">
              <disk_image name="urn:publicid:IDN+emulab.net+image+emulab-ops//UBUNTU22-64-STD"/>
            </sliver_type>
            <services>
              <install url="https://example.org/netserv-node.tar.gz" install_path="/opt"/>
              <execute shell="sh" command="echo started &gt; /tmp/started"/>
              <execute shell="bash" command="true"/>
            </services>
            <interface client_id="sender:if0">
              <ip address="198.18.0.1" netmask="255.255.255.0" type="ipv4"/>
            </interface>
          </node>
          <node client_id="receiver" exclusive="false">
            <sliver_type name="emulab-xen"/>
            <interface client_id="receiver:if0">
              <ip address="198.18.0.2" netmask="255.255.255.252"/>
            </interface>
            <interface client_id="receiver:if1"/>
          </node>
          <node client_id="bare"/>
          <link client_id="link0">
            <interface_ref client_id="sender:if0"/>
            <interface_ref client_id="receiver:if0"/>
            <link_type name="lan"/>
            <property source_id="sender:if0" dest_id="receiver:if0" capacity="100000" latency="10" packet_loss="0.01"/>
            <property source_id="receiver:if0" dest_id="sender:if0"/>
          </link>
        </rspec>
        """;

    public static RequestRSpec EveryElementModel => new(
        [
            new RSpecNode(
                "sender",
                "urn:publicid:IDN+utah.cloudlab.us+authority+cm",
                true,
                new SliverType("raw-pc", new DiskImage("urn:publicid:IDN+emulab.net+image+emulab-ops//UBUNTU22-64-STD")),
                [new InstallService("https://example.org/netserv-node.tar.gz", "/opt")],
                [new ExecuteService("sh", "echo started > /tmp/started"), new ExecuteService("bash", "true")],
                [new RSpecInterface("sender:if0", [new InterfaceIp(Ipv4Address.Parse("198.18.0.1"), 24)])]),
            new RSpecNode(
                "receiver",
                null,
                false,
                new SliverType("emulab-xen", null),
                [],
                [],
                [
                    new RSpecInterface("receiver:if0", [new InterfaceIp(Ipv4Address.Parse("198.18.0.2"), 30)]),
                    new RSpecInterface("receiver:if1", []),
                ]),
            new RSpecNode("bare", null, null, null, [], [], []),
        ],
        [
            new RSpecLink(
                "link0",
                ["sender:if0", "receiver:if0"],
                "lan",
                [
                    new LinkProperty("sender:if0", "receiver:if0", 100_000, 10, 0.01),
                    new LinkProperty("receiver:if0", "sender:if0", null, null, null),
                ]),
        ]);

    /// <summary>Reads <paramref name="text"/>, failing the test with the reader's error when it is refused.</summary>
    public static RequestRSpec Read(string text)
    {
        if (!RSpecReader.TryRead(text, out var request, out var error))
        {
            Assert.Fail($"the document was refused: {error}");
        }

        return request!;
    }
}
