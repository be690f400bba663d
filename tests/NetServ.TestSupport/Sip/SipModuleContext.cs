using NetServ.Networking;
using NetServ.Sdk;
using NetServ.Sdk.Testing;

namespace NetServ.TestSupport.Sip;

/// <summary>The module context of the SIP application tests: user itsp, filter UDP toward the SIP server 198.19.0.1:5060.</summary>
public static class SipModuleContext
{
    public static TestModuleContext Create(ModuleProperties properties, string moduleName) => new(properties)
    {
        ModuleName = moduleName,
        User = "itsp",
        Filter = new PacketFilter(FilterProtocol.Udp, SipTestPackets.ServerPort, [new Ipv4Prefix(SipTestPackets.ServerAddress, 32)]),
    };
}

/// <summary>The addresses and ports of the SIP application tests (their packets: <see cref="TestPackets"/>).</summary>
public static class SipTestPackets
{
    /// <summary>The user agent's port.</summary>
    public const ushort UaPort = 40000;

    /// <summary>The SIP server's port, the filter's.</summary>
    public const ushort ServerPort = 5060;

    /// <summary>The user agent.</summary>
    public static readonly Ipv4Address UaAddress = Ipv4Address.Parse("198.18.0.1");

    /// <summary>The SIP server, the filter's destination.</summary>
    public static readonly Ipv4Address ServerAddress = Ipv4Address.Parse("198.19.0.1");
}
