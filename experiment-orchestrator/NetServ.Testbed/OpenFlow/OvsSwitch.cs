using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NetServ.Networking;
using NetServ.OpenFlow.Transport;
using NetServ.Testbed.Linux;

namespace NetServ.Testbed.OpenFlow;

/// <summary>
/// A real Open vSwitch for a run or a test: ovsdb-server and ovs-vswitchd from Debian's openvswitch-switch, each with its
/// own database, run directory, pid file and log in a temporary folder, running in a namespace of their own
/// (<c>ns-&lt;id&gt;-switch</c>). The bridge <c>br0</c> uses the userspace datapath (<c>datapath_type=netdev</c>:
/// this kernel has no OVS module), speaks OpenFlow 1.3 only and is <c>fail_mode=secure</c>, so it forwards
/// nothing the controller did not ask for. Hosts hang off it through veth pairs (<see cref="AddHost"/>).
/// The controller listens inside the switch's namespace (<see cref="ListenForController"/>): OVS's TCP
/// connection to <c>tcp:127.0.0.1:port</c> never leaves it. Disposing stops exactly the two processes this
/// fixture started (by their pids), then removes the namespaces and the folder, also after a failed start.
/// </summary>
public sealed class OvsSwitch : IDisposable
{
    /// <summary>The bridge's name.</summary>
    public const string Bridge = "br0";

    /// <summary>The datapath id the bridge is given, so tests can expect it.</summary>
    public const ulong DatapathId = 0x0000_0000_0000_0a01;

    /// <summary>The Open vSwitch programs the fixture runs; tests are skipped when one is missing.</summary>
    public static readonly string[] Tools = ["ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl"];

    /// <summary>What a testbed's switch needs beyond <see cref="Tools"/>: ethtool for its ports' hosts.</summary>
    public static readonly string[] TestbedTools = ["ethtool"];

    private const string Schema = "/usr/share/openvswitch/vswitch.ovsschema";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly LocalNetwork _network;
    private readonly bool _ownsNetwork;
    private readonly List<OvsHost> _hosts = [];
    private Process? _database;
    private Process? _switch;
    private bool _disposed;

    private OvsSwitch(LocalNetwork network, bool ownsNetwork, LocalHost host, string directory)
    {
        _network = network;
        _ownsNetwork = ownsNetwork;
        Host = host;
        Directory = directory;
    }

    /// <summary>The switch's namespace; the controller's socket must be made here (<see cref="ListenForController"/>).</summary>
    public NetworkNamespace Namespace => Host.Namespace;

    /// <summary>The folder with the database, sockets, pid files and logs.</summary>
    public string Directory { get; }

    /// <summary>The bridge's management socket: what <c>ovs-ofctl</c> talks to.</summary>
    public string ManagementSocket => Path.Combine(Directory, Bridge + ".mgmt");

    /// <summary>The hosts attached so far, in order; the first has switch port 1.</summary>
    public IReadOnlyList<OvsHost> Hosts => _hosts;

    private LocalHost Host { get; }

    private string DatabaseSocket => Path.Combine(Directory, "db.sock");

    /// <summary>Why an Open vSwitch cannot be started here (not root, a program or the schema missing), or null when it can.</summary>
    public static string? Missing() =>
        Prerequisites.Missing(["ip", "nsenter", .. Tools]) ?? (File.Exists(Schema) ? null : $"{Schema} is missing: install openvswitch-common");

    /// <summary>
    /// Starts the database and the switch and creates the bridge. Its namespaces, processes and folder are kept in
    /// the run's record (<see cref="LabRunRecord"/>), so a run killed before <see cref="Dispose"/> is cleaned by the next.
    /// </summary>
    /// <exception cref="InvalidOperationException">Open vSwitch cannot run here (<see cref="Missing"/> says why).</exception>
    public static OvsSwitch Start()
    {
        ThrowIfMissing();
        var network = LocalNetwork.Create();
        try
        {
            return Start(network, ownsNetwork: true, network.AddHost("switch"));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the database and the switch in <paramref name="host"/>'s namespace, a host of <paramref name="network"/>
    /// (a local testbed's switch node, or a Docker testbed's container's; <see cref="TestbedTools"/> needed too), and creates the bridge, without ports: <see cref="AddPort"/> adds the interfaces
    /// already in that namespace. Disposing stops the daemons and removes the folder; the namespace stays the network's.
    /// </summary>
    /// <exception cref="InvalidOperationException">Open vSwitch cannot run here (<see cref="Missing"/> says why).</exception>
    public static OvsSwitch StartIn(LocalNetwork network, LocalHost host)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(host);
        ThrowIfMissing();
        if (Prerequisites.Missing(TestbedTools) is { } missing)
        {
            throw new InvalidOperationException($"cannot realise a switch: {missing}");
        }

        return Start(network, ownsNetwork: false, host);
    }

    private static void ThrowIfMissing()
    {
        if (Missing() is { } missing)
        {
            throw new InvalidOperationException($"cannot start Open vSwitch: {missing}");
        }
    }

    private static OvsSwitch Start(LocalNetwork network, bool ownsNetwork, LocalHost host)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("netserv-ovs-").FullName;
        LabRunRecord.Current.Add(RunResource.Directory(directory));
        var ovs = new OvsSwitch(network, ownsNetwork, host, directory);
        try
        {
            ovs.StartDaemons();
            return ovs;
        }
        catch
        {
            ovs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds a host: its own namespace <c>ns-&lt;id&gt;-&lt;name&gt;</c> with <c>eth0</c> at <paramref name="address"/>
    /// (in 198.18.0.0/15, with prefix length), linked by a veth pair to the next switch port (1, 2, ...).
    /// </summary>
    public OvsHost AddHost(string name, string address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slash = address.IndexOf('/', StringComparison.Ordinal);
        var ip = Ipv4Address.Parse(address.AsSpan(0, slash));
        var prefixLength = int.Parse(address.AsSpan(slash + 1), CultureInfo.InvariantCulture);
        if (LocalNetwork.InterfaceAddressProblem(ip, prefixLength) is { } problem)
        {
            throw new ArgumentException(problem, nameof(address));
        }

        var port = (uint)(_hosts.Count + 1);
        var host = _network.AddHost(name);
        // The switch's end has no address: the bridge takes its frames (AF_PACKET), the switch's IP stack must not.
        var switchEnd = $"p{_network.Id}{port}";
        var hostEnd = $"h{_network.Id}{port}";
        CommandRunner.RunChecked("ip", "link", "add", switchEnd, "netns", Namespace.Name, "type", "veth", "peer", "name", hostEnd, "netns", host.Namespace.Name);
        Namespace.ExecChecked("ip", "link", "set", switchEnd, "up");
        host.Namespace.ExecChecked("ip", "link", "set", hostEnd, "name", "eth0");
        host.Namespace.ExecChecked("ip", "address", "add", address, "dev", "eth0");
        host.Namespace.ExecChecked("ip", "link", "set", "eth0", "up");
        host.AddInterface(new LocalInterface("eth0", ip, prefixLength));
        AddPort(switchEnd, port);
        var mac = host.Namespace.GetMacAddress("eth0").GetAddressBytes();
        var ovsHost = new OvsHost(name, host.Namespace, ip, NetServ.OpenFlow.EthernetAddress.Read(mac), port, switchEnd);
        _hosts.Add(ovsHost);
        return ovsHost;
    }

    /// <summary>Adds <paramref name="device"/>, an interface in the switch's namespace without an address, to the bridge as port <paramref name="port"/>.</summary>
    public void AddPort(string device, uint port)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        VsCtl("add-port", Bridge, device, "--", "set", "interface", device, $"ofport_request={port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Gives every host a permanent ARP entry for every other, so that UDP between them needs no ARP through a
    /// switch that, in secure mode, forwards only what its flows say.
    /// </summary>
    public void AddStaticNeighbours()
    {
        foreach (var host in _hosts)
        {
            foreach (var other in _hosts.Where(h => h != host))
            {
                host.Namespace.ExecChecked("ip", "neigh", "replace", other.Address.ToString(), "lladdr", other.Mac.ToString(), "nud", "permanent", "dev", "eth0");
            }
        }
    }

    /// <summary>
    /// A controller's listening socket at 127.0.0.1 inside the switch's namespace, and the bridge told to
    /// connect to it (<c>set-controller br0 tcp:127.0.0.1:port</c>). The caller accepts and starts the connection.
    /// </summary>
    public OpenFlowListener ListenForController(OpenFlowConnectionOptions? options = null, TimeProvider? timeProvider = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var listener = Namespace.Run(() => new OpenFlowListener(
            new IPEndPoint(IPAddress.Loopback, 0),
            Options.Create(options ?? new OpenFlowConnectionOptions()),
            timeProvider ?? TimeProvider.System,
            NullLogger<OpenFlowConnection>.Instance));
        try
        {
            SetController(listener.LocalEndPoint.Port);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Tells the bridge to connect to a controller listening at 127.0.0.1:<paramref name="port"/> inside the switch's
    /// namespace (a socket made there, for example by a module started in <see cref="NetworkNamespace.Run{T}"/>).
    /// </summary>
    public void SetController(int port) => SetController(new OpenFlowControllerAddress(Ipv4Address.Parse("127.0.0.1"), port));

    /// <summary>Tells the bridge to connect to a controller at <paramref name="controller"/>, outside the switch's namespace (over a control link), or inside it.</summary>
    public void SetController(OpenFlowControllerAddress controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        // A short backoff: tests that drop the connection see the switch come back quickly.
        VsCtl("set-controller", Bridge, controller.ToString(), "--", "set", "controller", Bridge, "max_backoff=1000");
    }

    /// <summary>The pids of ovsdb-server and ovs-vswitchd as this fixture started them (0 before they run).</summary>
    public (int Database, int Switch) ProcessIds { get; private set; }

    /// <summary>What of this switch is still there (a daemon it started, its folder), for a run's check after release.</summary>
    public IEnumerable<string> Leftovers()
    {
        var (database, @switch) = ProcessIds;
        foreach (var (name, pid) in new[] { ("ovsdb-server", database), ("ovs-vswitchd", @switch) })
        {
            if (pid > 0 && System.IO.Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                yield return $"{name} (pid {pid})";
            }
        }

        if (System.IO.Directory.Exists(Directory))
        {
            yield return $"Open vSwitch folder {Directory}";
        }
    }

    /// <summary>Runs <c>ovs-ofctl -O OpenFlow13 <paramref name="command"/></c> against this bridge's own management socket.</summary>
    public string OfCtl(string command, params string[] arguments) =>
        CommandRunner.Run("ovs-ofctl", ["-O", "OpenFlow13", command, $"unix:{ManagementSocket}", .. arguments]).EnsureSuccess().StandardOutput;

    /// <summary>The bridge's flows as <c>ovs-ofctl dump-flows</c> prints them, one line each, without the reply's header.</summary>
    public IReadOnlyList<string> DumpFlows() =>
        OfCtl("dump-flows").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("OFPST_FLOW", StringComparison.Ordinal))
            .ToArray();

    /// <summary>Runs <c>ovs-vsctl</c> against this fixture's database.</summary>
    public string VsCtl(params string[] arguments) =>
        CommandRunner.Run("ovs-vsctl", [$"--db=unix:{DatabaseSocket}", "--timeout=10", .. arguments]).EnsureSuccess().StandardOutput;

    /// <summary>The last lines of ovs-vswitchd's log, for failure messages.</summary>
    public string SwitchLogTail(int lines = 30)
    {
        var path = Path.Combine(Directory, "ovs-vswitchd.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no log)";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stop(_switch);
        Stop(_database);
        try
        {
            if (_ownsNetwork)
            {
                _network.Dispose();
            }
        }
        finally
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }

            LabRunRecord.NoteRemoved(RunResource.Directory(Directory));
        }
    }

    private void StartDaemons()
    {
        CommandRunner.RunChecked("ovsdb-tool", "create", Path.Combine(Directory, "conf.db"), Schema);
        _database = StartDaemon(
            "ovsdb-server", Path.Combine(Directory, "conf.db"), $"--remote=punix:{DatabaseSocket}");
        WaitFor(() => File.Exists(DatabaseSocket) && CommandRunner.Run("ovs-vsctl", [$"--db=unix:{DatabaseSocket}", "--timeout=2", "--no-wait", "init"]).Succeeded, _database, "ovsdb-server's socket");
        ProcessIds = (_database.Id, 0);
        _switch = StartDaemon("ovs-vswitchd", $"unix:{DatabaseSocket}");
        ProcessIds = (_database.Id, _switch.Id);
        // Without --no-wait ovs-vsctl waits until ovs-vswitchd has applied the change: the bridge exists when this returns.
        VsCtl(
            "add-br", Bridge, "--", "set", "bridge", Bridge, "datapath_type=netdev", "fail_mode=secure", "protocols=OpenFlow13",
            $"other-config:datapath-id={DatapathId:x16}", "other-config:disable-in-band=true");
        WaitFor(() => File.Exists(ManagementSocket), _switch, "the bridge's management socket");
    }

    /// <summary>Starts <paramref name="program"/> in the foreground (no --detach: the pid is the daemon's) inside the namespace.</summary>
    private Process StartDaemon(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Console logging off before the log file opens: else its "opened log file" line reaches the user's terminal.
        info.ArgumentList.Add("-vconsole:off");
        info.ArgumentList.Add($"--pidfile={Path.Combine(Directory, program + ".pid")}");
        info.ArgumentList.Add($"--log-file={Path.Combine(Directory, program + ".log")}");
        info.ArgumentList.Add($"--unixctl={Path.Combine(Directory, program + ".ctl")}");
        info.ArgumentList.Add("--no-chdir");
        // Everything the daemons would put under /var/run/openvswitch (the bridge's .mgmt socket) goes here instead,
        // so a system Open vSwitch, if one runs, is neither used nor disturbed.
        foreach (var variable in (string[])["OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR"])
        {
            info.Environment[variable] = Directory;
        }

        return Namespace.Start(info);
    }

    private static void WaitFor(Func<bool> condition, Process process, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited ({process.ExitCode}) before {what} appeared");
            }

            if (watch.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"{what} did not appear within {StartTimeout.TotalSeconds} s");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>SIGTERM to the process this fixture started, SIGKILL if it has not exited after a grace period.</summary>
    private static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (process.HasExited)
            {
                return;
            }

            CommandRunner.Run("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            if (!process.WaitForExit(StopGrace))
            {
                process.Kill();
                process.WaitForExit(StopGrace);
            }
        }
    }
}

/// <summary>A host attached to an <see cref="OvsSwitch"/>: its namespace, <c>eth0</c>'s address and MAC, and its switch port.</summary>
public sealed record OvsHost(string Name, NetworkNamespace Namespace, Ipv4Address Address, NetServ.OpenFlow.EthernetAddress Mac, uint Port, string SwitchInterface)
{
    /// <summary>A UDP socket in the host bound to <paramref name="port"/>, checksums off (SO_NO_CHECK): OVS's userspace datapath on veth sees the partial checksums the kernel leaves for offload as bad.</summary>
    public Socket CreateUdpSocket(int port = 0)
    {
        var socket = Namespace.CreateSocket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 11 /* SO_NO_CHECK */, BitConverter.GetBytes(1));
            socket.ReceiveTimeout = 5000;
            socket.Bind(new IPEndPoint(Address.ToIPAddress(), port));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
