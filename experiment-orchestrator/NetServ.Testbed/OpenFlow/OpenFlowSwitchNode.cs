// How a request asks for an Open vSwitch: read from the node's execute service, the way GENI tutorials make a switch of a VM.
using System.Globalization;
using System.Text.RegularExpressions;
using NetServ.Networking;
using NetServ.RSpec;

namespace NetServ.Testbed.OpenFlow;

/// <summary>
/// A node of a request that is an OpenFlow switch: a node with an execute service that creates an Open vSwitch bridge
/// (<c>ovs-vsctl add-br</c>), as GENI's OVS tutorials do on a VM. Its ports are its interfaces without an address, in
/// document order (the first is port 1); its other interfaces (a control link) are plain interfaces. Its controller is
/// what the service's <c>set-controller BRIDGE tcp:ADDRESS:PORT</c> names. No I/O.
/// </summary>
/// <param name="ClientId">The node's client id.</param>
/// <param name="Ports">The interfaces that are switch ports, in port order (port 1 first).</param>
/// <param name="Controller">Where the switch connects to its controller, or null when the service names none.</param>
/// <param name="Service">The execute service that creates the bridge: the local and the Docker testbed realise the switch instead of running it.</param>
public sealed partial record OpenFlowSwitchNode(string ClientId, IReadOnlyList<string> Ports, OpenFlowControllerAddress? Controller, ExecuteService Service)
{
    /// <summary>The switch port of interface <paramref name="interfaceClientId"/>, or null when it is none of the ports.</summary>
    public uint? PortOf(string interfaceClientId)
    {
        var index = Ports.ToList().IndexOf(interfaceClientId);
        return index < 0 ? null : (uint)(index + 1);
    }

    /// <summary>Whether <paramref name="service"/> creates an Open vSwitch bridge.</summary>
    public static bool CreatesBridge(ExecuteService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Command.Contains("ovs-vsctl", StringComparison.Ordinal) && AddBridge().IsMatch(service.Command);
    }

    /// <summary>The switch <paramref name="node"/> is, or null when it is no switch.</summary>
    public static OpenFlowSwitchNode? Read(RSpecNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Executes.FirstOrDefault(CreatesBridge) is not { } service)
        {
            return null;
        }

        var ports = node.Interfaces.Where(i => i.Ips.Count == 0).Select(i => i.ClientId).ToArray();
        var match = SetController().Match(service.Command);
        OpenFlowControllerAddress? controller = null;
        if (match.Success
            && Ipv4Address.TryParse(match.Groups["address"].ValueSpan, out var address)
            && int.TryParse(match.Groups["port"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535)
        {
            controller = new OpenFlowControllerAddress(address, port);
        }

        return new OpenFlowSwitchNode(node.ClientId, ports, controller, service);
    }

    /// <summary>The switches of <paramref name="request"/>, in document order.</summary>
    public static IReadOnlyList<OpenFlowSwitchNode> All(RequestRSpec request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [.. request.Nodes.Select(Read).OfType<OpenFlowSwitchNode>()];
    }

    [GeneratedRegex(@"\badd-br\s+\S+", RegexOptions.CultureInvariant)]
    private static partial Regex AddBridge();

    [GeneratedRegex(@"\bset-controller\s+\S+\s+tcp:(?<address>\d{1,3}(?:\.\d{1,3}){3}):(?<port>\d{1,5})\b", RegexOptions.CultureInvariant)]
    private static partial Regex SetController();
}

/// <summary>Where a switch connects to its OpenFlow controller (<c>tcp:ADDRESS:PORT</c>).</summary>
public sealed record OpenFlowControllerAddress(Ipv4Address Address, int Port)
{
    /// <summary>As Open vSwitch writes a controller target: <c>tcp:198.19.10.2:6653</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"tcp:{Address}:{Port}");
}
