namespace NetServ.Sdk;

/// <summary>IP protocol numbers the SDK knows by name.</summary>
public static class IpProtocol
{
    /// <summary>ICMP.</summary>
    public const byte Icmp = 1;

    /// <summary>TCP.</summary>
    public const byte Tcp = 6;

    /// <summary>UDP.</summary>
    public const byte Udp = 17;
}
