// Gives a local or Docker testbed's switch its controller: the OpenFlowController module in netservd on the NetServ node the switch connects to.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Signaling.Nslp;
using NetServ.Testbed.Http;
using NetServ.Testbed.Linux;
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
    /// that is also on one of the switch's ports (the node signaling is steered to), with the MAC address of each node's
    /// interface on the switch as the testbed made it.
    /// </summary>
    /// <exception cref="InvalidOperationException">A switch's controller is on a NetServ node that is on none of its ports.</exception>
    public static IReadOnlyList<SwitchNetServNodes> Find(ISwitchTestbed testbed, IReadOnlyCollection<string> netservNodes)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        return [.. Order(testbed.Request, netservNodes).Where(s => testbed.Switches.ContainsKey(s.Switch)).Select(s => s with
        {
            Nodes = [.. s.Nodes.Select(a =>
            {
                var device = testbed.Nodes.First(n => n.ClientId == a.Node).Interfaces.First(i => i.ClientId == a.Device).Device;
                return a with { Device = device, Mac = NetServ.OpenFlow.EthernetAddress.Read(testbed.NamespaceOf(a.Node).GetMacAddress(device).GetAddressBytes()) };
            })],
        })];
    }

    /// <summary>
    /// Whether a switch's controller passes signaling on from NetServ node <paramref name="node"/> to a further NetServ node
    /// of <paramref name="netservNodes"/>: it is on a switch of <paramref name="request"/> and not the last of its nodes. Read from
    /// the request alone, so that a node's configuration can say so before the testbed is made (the Docker testbed's is put in
    /// its container at creation).
    /// </summary>
    public static bool PassesSignalingOn(RequestRSpec request, string node, IReadOnlyCollection<string> netservNodes) =>
        Order(request, netservNodes).Any(s => s.Nodes.Count > 1 && s.Nodes.Take(s.Nodes.Count - 1).Any(a => a.Node == node));

    /// <summary>
    /// The switches of <paramref name="request"/> with their NetServ nodes in signaling's order, the controller's node first; each
    /// attachment's <see cref="SwitchAttachment.Device"/> is still the interface's client id and its MAC address unknown. No I/O.
    /// </summary>
    private static IEnumerable<SwitchNetServNodes> Order(RequestRSpec request, IReadOnlyCollection<string> netservNodes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(netservNodes);
        RSpecNode? NodeWith(Func<RSpecInterface, bool> match) => request.Nodes.FirstOrDefault(n => n.Interfaces.Any(match));
        foreach (var definition in OpenFlowSwitchNode.All(request))
        {
            if (definition.Controller is not { } controller
                || NodeWith(i => i.Ips.Any(ip => ip.Address.ToString() == controller.Address.ToString())) is not { } owner
                || !netservNodes.Contains(owner.ClientId))
            {
                continue;
            }

            var attached = new List<SwitchAttachment>();
            for (var p = 0; p < definition.Ports.Count; p++)
            {
                var link = request.Links.FirstOrDefault(l => l.InterfaceRefs.Contains(definition.Ports[p]));
                var peer = link?.InterfaceRefs.FirstOrDefault(i => i != definition.Ports[p]);
                if (peer is not null && NodeWith(i => i.ClientId == peer) is { } node && netservNodes.Contains(node.ClientId))
                {
                    attached.Add(new SwitchAttachment(node.ClientId, (uint)(p + 1), peer, default));
                }
            }

            var own = attached.FindIndex(a => a.Node == owner.ClientId);
            if (own < 0)
            {
                throw new InvalidOperationException(
                    $"switch '{definition.ClientId}' connects to its controller at {controller} on NetServ node '{owner.ClientId}', which is on none of its ports: signaling could not be steered to it");
            }

            yield return new SwitchNetServNodes(definition.ClientId, controller, owner.ClientId, [attached[own], .. attached.Where((_, i) => i != own)]);
        }
    }
}

/// <summary>A NetServ node on a switch port: the node, the port, its interface there and that interface's MAC address.</summary>
public sealed record SwitchAttachment(string Node, uint Port, string Device, NetServ.OpenFlow.EthernetAddress Mac);

/// <summary>
/// Installs the OpenFlowController module for a switch of a local or Docker testbed (<see cref="SwitchNetServNodes"/>) and readies the
/// NetServ nodes behind it. The module goes in through the node's admin API, not through signaling: the switch
/// (secure mode) forwards nothing until its controller has installed the flows, so no SETUP could reach the node through
/// it first. On GENI the experimenter does the same with <c>netserv admin setup</c> on the node.
/// </summary>
public static class SwitchControllerDeployment
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Readies the NetServ nodes on the switch's ports (<see cref="ReadyNodes"/>), installs the module from
    /// <paramref name="package"/> for <paramref name="user"/> on the controller's node through <paramref name="controllerNode"/>, its
    /// netservd's admin API (the package served from the node's own address, inside its namespace), and waits until the switch has
    /// connected and holds the proactive signaling flow. Returns what was done, a line each.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node refused the module, or the switch did not connect in time.</exception>
    public static async Task<IReadOnlyList<string>> InstallAsync(
        ISwitchTestbed testbed, SwitchNetServNodes nodes, INetServAdmin controllerNode, string package, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(controllerNode);
        var done = new List<string>(ReadyNodes(testbed, nodes));
        var owner = testbed.Nodes.First(n => n.ClientId == nodes.ControllerNode);
        var server = PackageServer.Start(Path.GetDirectoryName(package)!, IPAddress.Parse(owner.Address.ToString()), 0, testbed.NamespaceOf(owner.ClientId));
        await using (server.ConfigureAwait(false))
        {
            var setup = ModuleSetup.ForPackage(package, user, server.UrlOf) with { Properties = nodes.ModuleProperties };
            var response = await controllerNode.SetupAsync(setup, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != NslpStatus.Ok)
            {
                throw new InvalidOperationException(
                    $"{nodes.ControllerNode} refused {setup.Module} through its admin API: {response.StatusCode} {response.Headers[NslpHeaderNames.Error]}");
            }

            done.Add($"{nodes.ControllerNode}: {setup.Module} installed through the admin API ({setup.Properties})");
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
    /// no ICMP redirects: the packet leaves by the port it came in). The signaling the switch steers to a node needs
    /// nothing more: the controller addresses it to that node's MAC address, so the node's IP stack takes it in.
    /// </summary>
    public static IReadOnlyList<string> ReadyNodes(ISwitchTestbed testbed, SwitchNetServNodes nodes)
    {
        ArgumentNullException.ThrowIfNull(testbed);
        ArgumentNullException.ThrowIfNull(nodes);
        var done = new List<string>();
        foreach (var attachment in nodes.Nodes)
        {
            var ns = testbed.NamespaceOf(attachment.Node);
            ns.SetSysctl("net.ipv4.ip_forward", "1");
            ns.SetSysctl("net.ipv4.conf.all.send_redirects", "0");
            ns.SetSysctl($"net.ipv4.conf.{attachment.Device}.send_redirects", "0");
            done.Add(FormattableString.Invariant($"{attachment.Node}: switch port {attachment.Port} ({attachment.Device}, {attachment.Mac}), forwarding on"));
        }

        return done;
    }
}
