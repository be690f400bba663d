using System.Globalization;
using System.Net.NetworkInformation;
using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.NodeRuntime;

/// <summary>
/// The path every measurement of the paper's section 9 runs on: sender 198.18.0.1 — router —
/// receiver 198.19.0.1 in network namespaces, RPS masks placing the softirq work, and permanent
/// neighbour entries so that no packet ever waits for (or is lost to) ARP. Router configurations
/// are set up in its router; disposing removes it all.
/// </summary>
internal sealed class BenchPath : IDisposable
{
    /// <summary>The destination port of the measured traffic, which the configurations' rules match.</summary>
    public const ushort Port = 5060;

    public const ushort SourcePort = 5060;
    public const string SenderAddress = "198.18.0.1";
    public const string RouterSenderSide = "198.18.0.2";
    public const string ReceiverAddress = "198.19.0.1";
    public const string ReceiverSubnet = "198.19.0.0/24";

    private BenchPath(ThreeHostPath hosts, CpuPlacement placement, PhysicalAddress senderMac, PhysicalAddress routerMac)
    {
        Hosts = hosts;
        Placement = placement;
        SenderMac = senderMac;
        RouterMac = routerMac;
    }

    public ThreeHostPath Hosts { get; }

    public CpuPlacement Placement { get; }

    /// <summary>The tag in the names of this path's namespaces.</summary>
    public string Id => Hosts.Network.Id;

    public NetworkNamespace Sender => Hosts.Sender.Namespace;

    public NetworkNamespace Router => Hosts.Router.Namespace;

    public NetworkNamespace Receiver => Hosts.Receiver.Namespace;

    /// <summary>The MAC of the sender's eth0.</summary>
    public PhysicalAddress SenderMac { get; }

    /// <summary>The MAC of the router's eth0, where frames from the sender go.</summary>
    public PhysicalAddress RouterMac { get; }

    public static BenchPath Create(CpuPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        placement.Validate(Environment.ProcessorCount);
        var hosts = LocalNetwork.CreateSenderRouterReceiver();
        try
        {
            hosts.Sender.Namespace.SetReceivePacketSteering("eth0", placement.OtherRps);
            hosts.Router.Namespace.SetReceivePacketSteering("eth0", placement.RouterIngressRps);
            hosts.Router.Namespace.SetReceivePacketSteering("eth1", placement.OtherRps);
            hosts.Receiver.Namespace.SetReceivePacketSteering("eth0", placement.ReceiverRps);

            var senderMac = hosts.Sender.Namespace.GetMacAddress("eth0");
            var routerMac = hosts.Router.Namespace.GetMacAddress("eth0");
            var receiverMac = hosts.Receiver.Namespace.GetMacAddress("eth0");
            hosts.Router.Namespace.ExecChecked("ip", "neigh", "replace", ReceiverAddress, "lladdr", Text(receiverMac), "dev", "eth1", "nud", "permanent");
            hosts.Sender.Namespace.ExecChecked("ip", "neigh", "replace", RouterSenderSide, "lladdr", Text(routerMac), "dev", "eth0", "nud", "permanent");
            return new BenchPath(hosts, placement, senderMac, routerMac);
        }
        catch
        {
            hosts.Dispose();
            throw;
        }
    }

    /// <summary>Throws unless the router holds no rules, no bound queue and no process: what a configuration's teardown must leave.</summary>
    public void EnsureRouterClean()
    {
        var rules = Router.ExecChecked("iptables", "-S").StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("-P ", StringComparison.Ordinal))
            .ToArray();
        var queues = Router.ReadProcNet("netfilter/nfnetlink_queue").Trim();
        var pids = CommandRunner.Run("ip", ["netns", "pids", Router.Name]).StandardOutput.Trim();
        if (rules.Length > 0 || queues.Length > 0 || pids.Length > 0)
        {
            throw new InvalidOperationException(
                $"the router was not left clean: rules [{string.Join("; ", rules)}], queues [{queues}], processes [{pids}]");
        }
    }

    public void Dispose() => Hosts.Dispose();

    private static string Text(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
}
