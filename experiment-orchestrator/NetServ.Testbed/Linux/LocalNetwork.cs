using System.Globalization;
using System.Security.Cryptography;
using NetServ.Networking;

namespace NetServ.Testbed.Linux;

/// <summary>
/// A network of hosts on this machine: one network namespace per host, a veth pair per link, and
/// for a LAN a bridge in a namespace of its own with a veth pair to each member.
/// Only addresses from 198.18.0.0/15 (RFC 2544's benchmarking range) are accepted. Disposing
/// removes every namespace, and with them every link, bridge and process.
/// </summary>
public sealed class LocalNetwork : IDisposable
{
    /// <summary>The only range test topologies may use.</summary>
    public static readonly Ipv4Prefix BenchmarkingRange = Ipv4Prefix.Parse("198.18.0.0/15");

    private readonly List<LocalHost> _hosts = [];
    private readonly List<(LocalHost A, LocalInterface AInterface, LocalHost B, LocalInterface BInterface)> _links = [];
    private readonly List<(NetworkNamespace Bridge, IReadOnlyList<(LocalHost Host, LocalInterface End)> Members)> _lans = [];
    private int _linkCount;
    private bool _disposed;

    private LocalNetwork(string id) => Id = id;

    /// <summary>A short random tag in every namespace name of this network.</summary>
    public string Id { get; }

    /// <summary>The hosts, in the order they were added.</summary>
    public IReadOnlyList<LocalHost> Hosts => _hosts;

    /// <summary>The namespaces that hold the LANs' bridges, in the order they were made.</summary>
    public IReadOnlyList<NetworkNamespace> LanNamespaces => _lans.Select(l => l.Bridge).ToArray();

    /// <summary>Creates an empty network with a fresh random tag.</summary>
    public static LocalNetwork Create() => new(NewId());

    /// <summary>Creates an empty network tagged <paramref name="id"/> (1 to 6 lower-case letters or digits), so a caller can look for its namespaces.</summary>
    internal static LocalNetwork Create(string id)
    {
        if (id.Length is 0 or > 6 || !id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c)))
        {
            // Interface names are at most 15 characters and carry the tag (see Connect).
            throw new ArgumentException($"'{id}' is not a network tag: 1 to 6 lower-case letters or digits", nameof(id));
        }

        return new LocalNetwork(id);
    }

    /// <summary>A fresh random tag: six hex digits.</summary>
    internal static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>Adds a host: a namespace called <c>ns-&lt;id&gt;-&lt;name&gt;</c>, with IPv6 off so counters see only the test's traffic.</summary>
    public LocalHost AddHost(string name) =>
        Add(name, () => NetworkNamespace.Create($"{NetworkNamespace.NamePrefix}{Id}-{name}"));

    /// <summary>
    /// Adds a host whose namespace is that of the process <paramref name="pid"/> (a container's), named
    /// <c>ns-&lt;id&gt;-&lt;name&gt;</c> while the network lives, set up as <see cref="AddHost"/> sets up its own.
    /// </summary>
    public LocalHost AttachHost(string name, int pid) =>
        Add(name, () => NetworkNamespace.Attach($"{NetworkNamespace.NamePrefix}{Id}-{name}", pid));

    private LocalHost Add(string name, Func<NetworkNamespace> create)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_hosts.Any(h => h.Name == name))
        {
            throw new ArgumentException($"host '{name}' exists already", nameof(name));
        }

        var ns = create();
        var host = new LocalHost(name, ns);
        _hosts.Add(host);
        ns.SetSysctl("net.ipv6.conf.all.disable_ipv6", "1");
        ns.SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");
        // A new namespace inherits the machine's IPv4 forwarding (a running dockerd turns it on): every
        // host starts as an end host, and only routers turn it on (EnableForwarding).
        ns.SetSysctl("net.ipv4.ip_forward", "0");
        return host;
    }

    /// <summary>
    /// Links two hosts with a veth pair. Addresses are given as <c>198.18.0.1/24</c> and must lie in
    /// 198.18.0.0/15. The interfaces come up with the given names inside each namespace.
    /// </summary>
    public void Connect(LocalHost a, string aInterface, string aAddress, LocalHost b, string bInterface, string bAddress, int mtu = 1500)
    {
        var (aIp, aLength) = ParseInterfaceAddress(aAddress);
        var (bIp, bLength) = ParseInterfaceAddress(bAddress);
        Connect(a, new LocalInterface(aInterface, aIp, aLength), b, new LocalInterface(bInterface, bIp, bLength), mtu);
    }

    /// <summary>
    /// Links two hosts with a veth pair whose ends are <paramref name="aEnd"/> and <paramref name="bEnd"/>
    /// (name, address, prefix length). The addresses must lie in 198.18.0.0/15.
    /// </summary>
    public void Connect(LocalHost a, LocalInterface aEnd, LocalHost b, LocalInterface bEnd, int mtu = 1500)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(aEnd);
        ArgumentNullException.ThrowIfNull(bEnd);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfUnusable(aEnd, nameof(aEnd));
        ThrowIfUnusable(bEnd, nameof(bEnd));

        // Both ends are created directly inside their namespaces, so nothing ever appears in the root namespace.
        var link = Interlocked.Increment(ref _linkCount);
        var aTemporary = $"v{Id}{link}a";
        var bTemporary = $"v{Id}{link}b";
        CommandRunner.RunChecked(
            "ip", "link", "add", aTemporary, "netns", a.Namespace.Name, "type", "veth", "peer", "name", bTemporary, "netns", b.Namespace.Name);
        ConfigureEnd(a, aTemporary, aEnd, mtu);
        ConfigureEnd(b, bTemporary, bEnd, mtu);
        _links.Add((a, aEnd, b, bEnd));
    }

    /// <summary>
    /// Links <paramref name="host"/> to a switch in <paramref name="switchHost"/>'s namespace with a veth pair: the host's
    /// end is <paramref name="end"/> (name, address in 198.18.0.0/15), the switch's end is <paramref name="port"/>, up and
    /// without an address (the switch takes its frames, its namespace's IP stack must not). Not a link for static routes:
    /// hosts on a switch share a subnet. The host's end computes its own checksums (needs <c>ethtool</c>).
    /// </summary>
    public void ConnectPort(LocalHost host, LocalInterface end, LocalHost switchHost, string port, int mtu = 1500)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(end);
        ArgumentNullException.ThrowIfNull(switchHost);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfUnusable(end, nameof(end));
        var link = Interlocked.Increment(ref _linkCount);
        var hostTemporary = $"v{Id}{link}a";
        var portTemporary = $"v{Id}{link}b";
        CommandRunner.RunChecked(
            "ip", "link", "add", hostTemporary, "netns", host.Namespace.Name, "type", "veth", "peer", "name", portTemporary, "netns", switchHost.Namespace.Name);
        switchHost.Namespace.ExecChecked("ip", "link", "set", portTemporary, "name", port);
        switchHost.Namespace.ExecChecked("ip", "link", "set", port, "mtu", mtu.ToString(CultureInfo.InvariantCulture));
        switchHost.Namespace.ExecChecked("ip", "link", "set", port, "up");
        ConfigureEnd(host, hostTemporary, end, mtu);
        // Open vSwitch's userspace datapath forwards the partial checksums a veth leaves for offload as they are, and the
        // receiver drops them as bad: the host computes its checksums itself.
        host.Namespace.ExecChecked("ethtool", "-K", end.Name, "tx", "off");
    }

    /// <summary>
    /// Joins <paramref name="members"/> (a host and its end each; at least two, on one subnet of
    /// 198.18.0.0/15) in a LAN: a bridge <c>br0</c> in a namespace of its own called
    /// <c>ns-&lt;id&gt;-&lt;name&gt;</c>, which no host's traffic enters but through the bridge, and a
    /// veth pair from each member's end to a port of the bridge. The namespace is the network's: it goes
    /// in the run's record as every namespace does, and with the network.
    /// </summary>
    public void ConnectLan(string name, IReadOnlyList<(LocalHost Host, LocalInterface End)> members, int mtu = 1500)
    {
        ArgumentNullException.ThrowIfNull(members);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (members.Count < 2)
        {
            throw new ArgumentException("a LAN joins two interfaces or more", nameof(members));
        }

        foreach (var (_, end) in members)
        {
            ThrowIfUnusable(end, nameof(members));
        }

        var bridge = NetworkNamespace.Create($"{NetworkNamespace.NamePrefix}{Id}-{name}");
        var ports = new List<(LocalHost Host, LocalInterface End)>();
        // Noted before it is built: disposing the network removes what a failure below leaves.
        _lans.Add((bridge, ports));
        bridge.SetSysctl("net.ipv6.conf.all.disable_ipv6", "1");
        bridge.SetSysctl("net.ipv6.conf.default.disable_ipv6", "1");
        // No spanning tree: the bridge is the LAN's only one, so its ports forward at once.
        bridge.ExecChecked("ip", "link", "add", "br0", "type", "bridge", "stp_state", "0");
        bridge.ExecChecked("ip", "link", "set", "br0", "up");
        var mtuText = mtu.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < members.Count; i++)
        {
            var (host, end) = members[i];
            var link = Interlocked.Increment(ref _linkCount);
            var hostTemporary = $"v{Id}{link}a";
            var port = $"p{i}";
            CommandRunner.RunChecked(
                "ip", "link", "add", hostTemporary, "netns", host.Namespace.Name, "type", "veth", "peer", "name", port, "netns", bridge.Name);
            bridge.ExecChecked("ip", "link", "set", port, "mtu", mtuText);
            bridge.ExecChecked("ip", "link", "set", port, "master", "br0");
            bridge.ExecChecked("ip", "link", "set", port, "up");
            ConfigureEnd(host, hostTemporary, end, mtu);
            ports.Add((host, end));
        }
    }

    /// <summary>
    /// Gives every host a route to every subnet it is not on, via the neighbour on a shortest path
    /// (hop count), and turns on forwarding on every host that has more than one link.
    /// </summary>
    public void AddStaticRoutes()
    {
        foreach (var host in _hosts)
        {
            if (host.Interfaces.Count > 1)
            {
                host.EnableForwarding();
            }

            // Breadth-first search from this host: the first hop towards every other host.
            var firstHop = new Dictionary<LocalHost, Ipv4Address> { [host] = default };
            var queue = new Queue<LocalHost>([host]);
            while (queue.Count > 0)
            {
                var current = queue.Dequeue();
                foreach (var (next, nextAddress) in Neighbours(current))
                {
                    if (firstHop.ContainsKey(next))
                    {
                        continue;
                    }

                    firstHop[next] = current == host ? nextAddress : firstHop[current];
                    queue.Enqueue(next);
                }
            }

            var local = host.Interfaces.Select(i => i.Subnet).ToHashSet();
            var routed = new HashSet<Ipv4Prefix>();
            foreach (var (other, via) in firstHop.Where(p => p.Key != host))
            {
                foreach (var subnet in other.Interfaces.Select(i => i.Subnet))
                {
                    if (!local.Contains(subnet) && routed.Add(subnet))
                    {
                        host.AddRoute(subnet.ToString(), via.ToString());
                    }
                }
            }
        }
    }

    /// <summary>A line of hosts, each linked to the next on its own /24 (198.18.1.0/24, 198.18.2.0/24, ...), with static routes.</summary>
    public static LocalNetwork CreateLine(params string[] names) => CreateTaggedLine(NewId(), names);

    /// <summary>
    /// A line as <see cref="CreateLine"/> makes, its namespaces called <c>ns-&lt;tag&gt;-&lt;name&gt;</c>, so that a
    /// test can find (and sweep) its own leftovers by the tag; the tag is 1 to 6 lower-case letters or digits.
    /// </summary>
    public static LocalNetwork CreateTaggedLine(string tag, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Length < 2 || names.Length > 200)
        {
            throw new ArgumentException("a line needs 2 to 200 hosts", nameof(names));
        }

        var network = Create(tag);
        try
        {
            var hosts = names.Select(network.AddHost).ToArray();
            for (var i = 0; i < hosts.Length - 1; i++)
            {
                network.Connect(hosts[i], $"eth{(i == 0 ? 0 : 1)}", $"198.18.{i + 1}.1/24", hosts[i + 1], "eth0", $"198.18.{i + 1}.2/24");
            }

            network.AddStaticRoutes();
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>The host called <paramref name="name"/>.</summary>
    public LocalHost this[string name] => _hosts.FirstOrDefault(h => h.Name == name) ?? throw new KeyNotFoundException($"no host '{name}'");

    private IEnumerable<(LocalHost Host, Ipv4Address Address)> Neighbours(LocalHost host)
    {
        foreach (var (a, aEnd, b, bEnd) in _links)
        {
            if (a == host)
            {
                yield return (b, bEnd.Address);
            }
            else if (b == host)
            {
                yield return (a, aEnd.Address);
            }
        }

        // Every member of a LAN is one hop from every other.
        foreach (var (_, members) in _lans)
        {
            if (members.Any(m => m.Host == host))
            {
                foreach (var (other, end) in members.Where(m => m.Host != host))
                {
                    yield return (other, end.Address);
                }
            }
        }
    }

    /// <summary>
    /// The topology of the paper's section 9: sender 198.18.0.1 — router — receiver 198.19.0.1,
    /// with routes both ways and forwarding on the router.
    /// </summary>
    public static ThreeHostPath CreateSenderRouterReceiver(int mtu = 1500) => CreateSenderRouterReceiver(NewId(), mtu);

    /// <summary>The same path, its namespaces tagged <paramref name="id"/> (<c>ns-&lt;id&gt;-sender</c>...), so a caller can find and sweep them.</summary>
    internal static ThreeHostPath CreateSenderRouterReceiver(string id, int mtu = 1500)
    {
        var network = Create(id);
        try
        {
            var sender = network.AddHost("sender");
            var router = network.AddHost("router");
            var receiver = network.AddHost("receiver");
            network.Connect(sender, "eth0", "198.18.0.1/24", router, "eth0", "198.18.0.2/24", mtu);
            network.Connect(router, "eth1", "198.19.0.2/24", receiver, "eth0", "198.19.0.1/24", mtu);
            router.EnableForwarding();
            sender.AddDefaultRoute("198.18.0.2");
            receiver.AddDefaultRoute("198.19.0.2");
            return new ThreeHostPath(network, sender, router, receiver);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Every namespace is removed even when removing one of them fails.
        var failures = new List<Exception>();
        foreach (var ns in _lans.Select(l => l.Bridge).Reverse().Concat(_hosts.AsEnumerable().Reverse().Select(h => h.Namespace)))
        {
            try
            {
                ns.Dispose();
            }
            catch (CommandFailedException e)
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"removing the namespaces of network {Id} failed", failures);
        }
    }

    private static void ConfigureEnd(LocalHost host, string temporaryName, LocalInterface end, int mtu)
    {
        host.Namespace.ExecChecked("ip", "link", "set", temporaryName, "name", end.Name);
        host.Namespace.ExecChecked("ip", "link", "set", end.Name, "mtu", mtu.ToString(CultureInfo.InvariantCulture));
        host.Namespace.ExecChecked("ip", "address", "add", $"{end.Address}/{end.PrefixLength}", "dev", end.Name);
        host.Namespace.ExecChecked("ip", "link", "set", end.Name, "up");
        host.AddInterface(end);
    }

    private static (Ipv4Address Address, int Length) ParseInterfaceAddress(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !Ipv4Address.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            throw new ArgumentException($"'{text}' is not an interface address such as 198.18.0.1/24", nameof(text));
        }

        return (address, length);
    }

    private static void ThrowIfUnusable(LocalInterface end, string parameter)
    {
        if (InterfaceAddressProblem(end.Address, end.PrefixLength) is { } problem)
        {
            throw new ArgumentException(problem, parameter);
        }
    }

    /// <summary>Why <paramref name="address"/>/<paramref name="prefixLength"/> cannot be an interface of a local network, or <see langword="null"/> when it can.</summary>
    internal static string? InterfaceAddressProblem(Ipv4Address address, int prefixLength) =>
        !BenchmarkingRange.Contains(address) ? $"{address} is outside {BenchmarkingRange}: local testbeds use only RFC 2544's benchmarking range"
        : prefixLength is < 8 or > 30 ? $"{address}/{prefixLength}: the prefix length must be 8 to 30"
        : null;
}

/// <summary>An interface of a <see cref="LocalHost"/>.</summary>
public sealed record LocalInterface(string Name, Ipv4Address Address, int PrefixLength)
{
    /// <summary>The interface's subnet.</summary>
    public Ipv4Prefix Subnet => new(Address, PrefixLength);
}

/// <summary>A host of a <see cref="LocalNetwork"/>: a network namespace and its interfaces.</summary>
public sealed class LocalHost
{
    private readonly List<LocalInterface> _interfaces = [];

    internal LocalHost(string name, NetworkNamespace ns)
    {
        Name = name;
        Namespace = ns;
    }

    /// <summary>The host's name within its network.</summary>
    public string Name { get; }

    /// <summary>The host's namespace.</summary>
    public NetworkNamespace Namespace { get; }

    /// <summary>The host's interfaces.</summary>
    public IReadOnlyList<LocalInterface> Interfaces => _interfaces;

    /// <summary>The address of the first interface.</summary>
    public Ipv4Address Address => _interfaces.Count > 0 ? _interfaces[0].Address : throw new InvalidOperationException($"{Name} has no interface");

    /// <summary>Turns on IPv4 forwarding, making the host a router.</summary>
    public void EnableForwarding() => Namespace.SetSysctl("net.ipv4.ip_forward", "1");

    /// <summary>Adds a default route via <paramref name="gateway"/>.</summary>
    public void AddDefaultRoute(string gateway) => Namespace.ExecChecked("ip", "route", "add", "default", "via", gateway);

    /// <summary>Adds a route to <paramref name="prefix"/> via <paramref name="gateway"/>.</summary>
    public void AddRoute(string prefix, string gateway) => Namespace.ExecChecked("ip", "route", "add", prefix, "via", gateway);

    internal void AddInterface(LocalInterface entry) => _interfaces.Add(entry);
}

/// <summary>Sender — router — receiver, as in the paper's evaluation. Disposing removes it all.</summary>
public sealed record ThreeHostPath(LocalNetwork Network, LocalHost Sender, LocalHost Router, LocalHost Receiver) : IDisposable
{
    /// <summary>The receiver's subnet, which filters on the router select.</summary>
    public Ipv4Prefix ReceiverSubnet => Receiver.Interfaces[0].Subnet;

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}
