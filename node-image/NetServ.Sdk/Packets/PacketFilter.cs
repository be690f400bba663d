using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NetServ.Networking;

namespace NetServ.Sdk;

/// <summary>Which transport a packet filter selects.</summary>
public enum FilterProtocol
{
    /// <summary>Every IPv4 packet.</summary>
    Any = 0,

    /// <summary>UDP packets.</summary>
    Udp = IpProtocol.Udp,

    /// <summary>TCP packets.</summary>
    Tcp = IpProtocol.Tcp,
}

/// <summary>
/// The packets a packet-processing module receives, from the <c>filter-proto</c>,
/// <c>filter-port</c> and <c>filter-dst</c> headers of its SETUP request. The node installs one
/// netfilter rule per destination prefix; the container checks the filter again so that modules
/// of one user sharing a queue each see only their own packets.
/// </summary>
public sealed class PacketFilter : IEquatable<PacketFilter>
{
    // An array, not the IReadOnlyList it is shown as: Matches runs on every packet, and enumerating through
    // the interface would box an enumerator each time.
    private readonly Ipv4Prefix[] _destinations;

    /// <summary>Creates a filter.</summary>
    /// <exception cref="ArgumentException">A port is given without UDP or TCP, or no destination prefix is given.</exception>
    public PacketFilter(FilterProtocol protocol, int? destinationPort, IReadOnlyList<Ipv4Prefix> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        if (destinationPort is not null && protocol == FilterProtocol.Any)
        {
            throw new ArgumentException("A filter port needs filter-proto udp or tcp.", nameof(destinationPort));
        }

        if (destinationPort is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(destinationPort), destinationPort, "A port is 1-65535.");
        }

        if (destinations.Count == 0)
        {
            throw new ArgumentException("A filter needs at least one destination prefix.", nameof(destinations));
        }

        Protocol = protocol;
        DestinationPort = destinationPort;
        _destinations = destinations.ToArray();
    }

    /// <summary>The transport selected.</summary>
    public FilterProtocol Protocol { get; }

    /// <summary>The destination port selected, or <see langword="null"/> for every port.</summary>
    public int? DestinationPort { get; }

    /// <summary>The destination prefixes selected.</summary>
    public IReadOnlyList<Ipv4Prefix> Destinations => _destinations;

    /// <summary>Whether <paramref name="packet"/> is one this filter selects.</summary>
    public bool Matches(scoped in Packet packet)
    {
        if (!packet.IsIpv4)
        {
            return false;
        }

        if (Protocol != FilterProtocol.Any)
        {
            if (packet.Protocol != (byte)Protocol)
            {
                return false;
            }

            if (DestinationPort is { } port && packet.DestinationPort != port)
            {
                return false;
            }
        }

        var destination = packet.Destination;
        foreach (var prefix in _destinations)
        {
            if (prefix.Contains(destination))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses the protocol names used in <c>filter-proto</c>: udp, tcp, any (or empty).</summary>
    public static bool TryParseProtocol(string? text, out FilterProtocol protocol)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "any" or "ip":
                protocol = FilterProtocol.Any;
                return true;
            case "udp" or "17":
                protocol = FilterProtocol.Udp;
                return true;
            case "tcp" or "6":
                protocol = FilterProtocol.Tcp;
                return true;
            default:
                protocol = FilterProtocol.Any;
                return false;
        }
    }

    /// <summary>The protocol's name as <c>filter-proto</c> spells it.</summary>
    public static string ProtocolName(FilterProtocol protocol) => protocol switch
    {
        FilterProtocol.Udp => "udp",
        FilterProtocol.Tcp => "tcp",
        _ => "any",
    };

    /// <inheritdoc />
    public override string ToString()
    {
        var port = DestinationPort is { } p ? string.Create(CultureInfo.InvariantCulture, $"/{p}") : string.Empty;
        return $"{ProtocolName(Protocol)}{port} to {string.Join(",", Destinations)}";
    }

    /// <inheritdoc />
    public bool Equals([NotNullWhen(true)] PacketFilter? other) =>
        other is not null && Protocol == other.Protocol && DestinationPort == other.DestinationPort && Destinations.SequenceEqual(other.Destinations);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PacketFilter);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Protocol, DestinationPort, Destinations.Count);
}
