// Gives a local testbed's switch its controller: the OpenFlowController module in netservd on the NetServ node the switch connects to.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using NetServ.Networking;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
using NetServ.Testbed.Local;
using NetServ.Testbed.Nodes;

namespace NetServ.Testbed.OpenFlow;

/// <summary>
/// Where a switch's NetServ nodes are: the node its controller address belongs to, and every NetServ node on one of its
/// ports, with the port and the MAC address of the node's interface there (what the controller module's
/// <c>netserv_port</c>, <c>netserv_mac</c> and <c>more_netserv_nodes</c> say).
/// </summary>
/// <param name="Switch">The switch node's client id.</param>
/// <param name="Controller">Where the switch connects to its controller.</param>
/// <param name="ControllerNode">The NetServ node with that address: the module runs in its netservd.</param>
/// <param name="Nodes">The NetServ nodes on the switch's ports, the controller's node first.</param>
public sealed record SwitchNetServNodes(string Switch, OpenFlowControllerAddress Controller, string ControllerNode, IReadOnlyList<SwitchAttachment> Nodes)
{
    /// <summary>
    /// The controller module's properties: where it listens, the switch port and MAC address of the controller's node
    /// (signaling's first node) and the other NetServ nodes as <c>more_netserv_nodes</c> (<c>port@mac</c>, separated by
    /// <c>;</c>). Signaling visits every node in turn, so each installs the user's module, and the filtered flows are
    /// spread over all of them by hash.
    /// </summary>
    public string ModuleProperties =>
        string.Join(',', [
            $"listen_ip={Controller.Address}",
            FormattableString.Invariant($"listen_port={Controller.Port}"),
            FormattableString.Invariant($"netserv_port={Nodes[0].Port}"),
            $"netserv_mac={Nodes[0].Mac}",
            .. Nodes.Skip(1).Any() ? (string[])[$"more_netserv_nodes={string.Join(';', Nodes.Skip(1).Select(n => FormattableString.Invariant($"{n.Port}@{n.Mac}")))}"] : [],
        ]);

    /// <summary>
    /// The switches of <paramref name="testbed"/> whose controller address is an interface of one of <paramref name="netservNodes"/>
    /// that is also on one of the switch's ports (the node signaling is steered to).
    /// </summary>
    /// <exception cref="InvalidOperationException">A switch's controller is on a NetServ node that is on none of its ports.</exception>
    public static IReadOnlyList<SwitchNetServNodes> Find(LocalTestbed testbed, IReadOnlyCollection<string> netservNodes)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        ArgumentNullException.ThrowIfNull(netservNodes);
        var found = new List<SwitchNetServNodes>();
        foreach (var clientId in testbed.Switches.Keys)
        {
            var definition = OpenFlowSwitchNode.Read(testbed[clientId].Definition)!;
            if (definition.Controller is not { } controller
                || testbed.Nodes.FirstOrDefault(n => n.Interfaces.Any(i => i.Address == controller.Address)) is not { } owner
                || !netservNodes.Contains(owner.ClientId))
            {
                continue;
            }

            var attached = new List<SwitchAttachment>();
            for (var p = 0; p < definition.Ports.Count; p++)
            {
                var link = testbed.Request.Links.FirstOrDefault(l => l.InterfaceRefs.Contains(definition.Ports[p]));
                var peer = link?.InterfaceRefs.FirstOrDefault(i => i != definition.Ports[p]);
                if (peer is null || testbed.Nodes.FirstOrDefault(n => n.Interfaces.Any(i => i.ClientId == peer)) is not { } node || !netservNodes.Contains(node.ClientId))
                {
                    continue;
                }

                var device = node.Interface(peer).Device;
                var mac = NetServ.OpenFlow.EthernetAddress.Read(node.Namespace.GetMacAddress(device).GetAddressBytes());
                attached.Add(new SwitchAttachment(node.ClientId, (uint)(p + 1), device, mac));
            }

            var own = attached.FindIndex(a => a.Node == owner.ClientId);
            if (own < 0)
            {
                throw new InvalidOperationException(
                    $"switch '{clientId}' connects to its controller at {controller} on NetServ node '{owner.ClientId}', which is on none of its ports: signaling could not be steered to it");
            }

            found.Add(new SwitchNetServNodes(clientId, controller, owner.ClientId, [attached[own], .. attached.Where((_, i) => i != own)]));
        }

        return found;
    }
}

/// <summary>A NetServ node on a switch port: the node, the port, its interface there and that interface's MAC address.</summary>
public sealed record SwitchAttachment(string Node, uint Port, string Device, NetServ.OpenFlow.EthernetAddress Mac);

/// <summary>
/// Installs the OpenFlowController module for a local testbed's switch (<see cref="SwitchNetServNodes"/>) and readies the
/// NetServ nodes behind it. The module goes in through the node's admin socket, not through signaling: the switch
/// (secure mode) forwards nothing until its controller has installed the flows, so no SETUP could reach the node through
/// it first. On GENI the experimenter does the same with <c>netserv admin setup</c> on the node.
/// </summary>
public static class SwitchControllerDeployment
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Readies the NetServ nodes on the switch's ports (<see cref="ReadyNodes"/>), installs the module from
    /// <paramref name="package"/> for <paramref name="user"/> on the controller's node, and waits until the switch has
    /// connected and holds the proactive signaling flow. Returns what was done, a line each.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node refused the module, or the switch did not connect in time.</exception>
    public static async Task<IReadOnlyList<string>> InstallAsync(
        LocalTestbed testbed, SwitchNetServNodes nodes, NetServNodeProcess controllerNode, string package, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(controllerNode);
        var done = new List<string>(ReadyNodes(testbed, nodes));
        var owner = testbed[nodes.ControllerNode];
        var server = PackageServer.Start(Path.GetDirectoryName(package)!, IPAddress.Parse(owner.Address.ToString()), 0, owner.Namespace);
        await using (server.ConfigureAwait(false))
        {
            var setup = ModuleSetup.ForPackage(package, user, server.UrlOf) with { Properties = nodes.ModuleProperties };
            var response = await controllerNode.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != NslpStatus.Ok)
            {
                throw new InvalidOperationException(
                    $"{nodes.ControllerNode} refused {setup.Module} through its admin socket: {response.StatusCode} {response.Headers[NslpHeaderNames.Error]}");
            }

            done.Add($"{nodes.ControllerNode}: {setup.Module} installed through the admin socket ({setup.Properties})");
        }

        var ovs = testbed.Switches[nodes.Switch];
        var watch = Stopwatch.StartNew();
        while (!ovs.DumpFlows().Any(f => f.Contains("udp,tp_dst=270", StringComparison.Ordinal)))
        {
            if (watch.Elapsed > ConnectTimeout)
            {
                throw new InvalidOperationException(
                    $"switch '{nodes.Switch}' did not connect to its controller at {nodes.Controller} within {ConnectTimeout.TotalSeconds} s:\n{ovs.SwitchLogTail(10)}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        done.Add(FormattableString.Invariant($"switch '{nodes.Switch}' connected to {nodes.Controller}: signaling (UDP/270) goes to port {nodes.Nodes[0].Port} ({nodes.ControllerNode})"));
        return done;
    }

    /// <summary>
    /// Makes the NetServ nodes on the switch's ports route what the switch steers to them back out (forwarding on,
    /// no ICMP redirects: the packet leaves by the port it came in), and makes the controller's node take the signaling
    /// the proactive flow sends it, which is still addressed to the receiver's MAC address: an nftables ingress rule on
    /// its port's interface marks UDP/270 frames as its own (<c>meta pkttype set host</c>), else its IP stack would drop them.
    /// The later nodes need no such rule: the controller addresses the signaling it passes from node to node to the next
    /// node's MAC address.
    /// </summary>
    public static IReadOnlyList<string> ReadyNodes(LocalTestbed testbed, SwitchNetServNodes nodes)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        ArgumentNullException.ThrowIfNull(nodes);
        var done = new List<string>();
        foreach (var attachment in nodes.Nodes)
        {
            var ns = testbed[attachment.Node].Namespace;
            ns.SetSysctl("net.ipv4.ip_forward", "1");
            ns.SetSysctl("net.ipv4.conf.all.send_redirects", "0");
            ns.SetSysctl($"net.ipv4.conf.{attachment.Device}.send_redirects", "0");
            done.Add(FormattableString.Invariant($"{attachment.Node}: switch port {attachment.Port} ({attachment.Device}, {attachment.Mac}), forwarding on"));
        }

        var signaling = nodes.Nodes[0];
        var controllerNs = testbed[signaling.Node].Namespace;
        controllerNs.ExecChecked(
            "nft", "add table netdev netserv-openflow ; " +
            $"add chain netdev netserv-openflow signaling {{ type filter hook ingress device {signaling.Device} priority 0 ; }} ; " +
            "add rule netdev netserv-openflow signaling udp dport 270 meta pkttype set host");
        done.Add($"{signaling.Node}: takes the UDP/270 frames the switch steers to {signaling.Device}");
        return done;
    }
}
