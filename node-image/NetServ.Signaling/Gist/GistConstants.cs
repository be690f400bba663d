namespace NetServ.Signaling.Gist;

/// <summary>Fixed numbers of GIST (RFC 5971) and of the NetServ NSLP that runs over it.</summary>
internal static class GistConstants
{
    /// <summary>The GIST version this codec speaks (RFC 5971 A.1).</summary>
    public const byte Version = 1;

    /// <summary>
    /// The number that precedes the common header in every UDP datagram, Q-mode and D-mode alike (RFC 5971 5.3.2),
    /// in network byte order on the wire; messages on a messaging association have none.
    /// </summary>
    public const uint MagicNumber = 0x4e04bda5;

    /// <summary>The well-known UDP port for Q-mode and D-mode (assigned by IANA to GIST).</summary>
    public const ushort UdpPort = 270;

    /// <summary>
    /// The NSLPID of the NetServ NSLP. RFC 5971's IANA considerations leave 32704-32767 for private or experimental use;
    /// NetServ takes the first value.
    /// </summary>
    public const ushort NetServNslpId = 32704;

    /// <summary>
    /// The IPv4 Router Alert value NetServ Queries carry by default. RFC 5350 leaves 65503-65534 for experimental
    /// use; NetServ takes the first value. RFC 5971 5.3.2 ties the value to the NSLP, so endpoints take it as an
    /// option, and Queries passing through are intercepted whatever value they carry.
    /// </summary>
    public const ushort NetServRouterAlertValue = 65503;

    /// <summary>
    /// The GIST hop count this implementation starts messages with. RFC 5971 leaves the initial value to
    /// implementations; it bounds loops, not paths, so any value above the path length works.
    /// </summary>
    public const byte DefaultGistHops = 16;

    /// <summary>The length of the common header in bytes.</summary>
    public const int CommonHeaderLength = 8;

    /// <summary>The length of the magic number in bytes.</summary>
    public const int MagicNumberLength = 4;

    /// <summary>The length of an object's TLV header in bytes.</summary>
    public const int ObjectHeaderLength = 4;

    /// <summary>The longest object content: the 12-bit Length field counts 32-bit words.</summary>
    public const int MaxObjectContentLength = 0xFFF * 4;

    /// <summary>The longest message body (after the common header): the 16-bit Message Length field counts 32-bit words.</summary>
    public const int MaxMessageBodyLength = 0xFFFF * 4;
}
