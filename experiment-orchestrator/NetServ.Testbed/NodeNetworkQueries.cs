using System.Net.NetworkInformation;
using System.Text.Json;
using NetServ.Networking;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed;

/// <summary>
/// What a run asks of a node's network, through its session with the <c>ip</c> tool every Linux node has,
/// so that it is asked the same way of a namespace, a container or a GENI node.
/// </summary>
public static class NodeNetworkQueries
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The route <paramref name="session"/>'s node takes to <paramref name="destination"/> (<c>ip -j route get</c>).</summary>
    /// <exception cref="CommandFailedException">ip failed (the node has no route there, for one).</exception>
    /// <exception cref="FormatException">ip answered with something that is not a route.</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    public static async Task<NodeRoute> GetRouteAsync(this INodeSession session, Ipv4Address destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var result = await session.RunAsync("ip", ["-j", "route", "get", destination.ToString()], QueryTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ParseRoute(result.EnsureSuccess().StandardOutput, destination);
    }

    /// <summary>The link-layer address of <paramref name="device"/> on <paramref name="session"/>'s node (<c>ip -j link show</c>).</summary>
    /// <exception cref="CommandFailedException">ip failed (the node has no such device, for one).</exception>
    /// <exception cref="FormatException">ip answered with something that is not a link with an address.</exception>
    /// <exception cref="NodeUnreachableException">The node cannot be reached.</exception>
    public static async Task<PhysicalAddress> GetMacAddressAsync(this INodeSession session, string device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrEmpty(device);
        var result = await session.RunAsync("ip", ["-j", "link", "show", "dev", device], QueryTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ParseMacAddress(result.EnsureSuccess().StandardOutput, device);
    }

    /// <summary>Reads <c>ip -j route get <paramref name="destination"/></c>'s answer.</summary>
    internal static NodeRoute ParseRoute(string output, Ipv4Address destination)
    {
        using var json = Parse(output, $"the route to {destination}");
        var route = First(json, $"the route to {destination}");
        var device = Text(route, "dev");
        var source = Text(route, "prefsrc");
        var gateway = Text(route, "gateway");
        if (device.Length == 0 || !Ipv4Address.TryParse(source, out var sourceAddress))
        {
            throw new FormatException($"the route to {destination} names no device or no IPv4 source address: {output.Trim()}");
        }

        Ipv4Address? via = null;
        if (gateway.Length > 0)
        {
            via = Ipv4Address.TryParse(gateway, out var gatewayAddress)
                ? gatewayAddress
                : throw new FormatException($"the route to {destination} goes via '{gateway}', which is not an IPv4 address");
        }

        return new NodeRoute(destination, via, device, sourceAddress);
    }

    /// <summary>Reads <c>ip -j link show dev <paramref name="device"/></c>'s answer.</summary>
    internal static PhysicalAddress ParseMacAddress(string output, string device)
    {
        using var json = Parse(output, $"link {device}");
        var text = Text(First(json, $"link {device}"), "address");
        if (text.Length == 0)
        {
            throw new FormatException($"link {device} has no link-layer address: {output.Trim()}");
        }

        try
        {
            return PhysicalAddress.Parse(text.Replace(':', '-'));
        }
        catch (FormatException e)
        {
            throw new FormatException($"link {device} has address '{text}', which is not a MAC address", e);
        }
    }

    private static JsonDocument Parse(string output, string what)
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            return JsonDocument.Parse(output);
        }
        catch (JsonException e)
        {
            throw new FormatException($"ip's answer for {what} is not JSON: {output.Trim()}", e);
        }
    }

    private static JsonElement First(JsonDocument json, string what) =>
        json.RootElement is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() > 0 && array[0].ValueKind == JsonValueKind.Object
            ? array[0]
            : throw new FormatException($"ip's answer for {what} is not a list of one object: {json.RootElement}");

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;
}

/// <summary>A route a node takes toward an address, as <c>ip route get</c> gives it.</summary>
/// <param name="Destination">The address asked about.</param>
/// <param name="Gateway">The router it goes through, or <see langword="null"/> when the destination is on a link of the node.</param>
/// <param name="Device">The device it leaves by.</param>
/// <param name="Source">The source address the node uses on it.</param>
public sealed record NodeRoute(Ipv4Address Destination, Ipv4Address? Gateway, string Device, Ipv4Address Source)
{
    /// <summary>Where the node sends the packets on the link: the gateway, or the destination itself.</summary>
    public Ipv4Address NextHop => Gateway ?? Destination;
}
