using NetServ.Contracts.Configuration;

namespace NetServ.Node.Configuration;

/// <summary>
/// netservd's configuration: the "NetServ" section of /etc/netserv/netserv.json (or --config).
/// Plain classes with defaults; <see cref="NetServOptionsValidator"/> checks them at start.
/// </summary>
internal sealed class NetServOptions
{
    public const string SectionName = NodeConfiguration.SectionName;

    /// <summary>The node's name in status and PROBE responses; also names its cgroups.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>The Unix socket of the local admin API (root only).</summary>
    public string AdminSocket { get; set; } = "/run/netserv/netservd.sock";

    /// <summary>Sockets and other runtime files: control socket of the containers.</summary>
    public string RuntimeDirectory { get; set; } = "/run/netserv";

    /// <summary>Per-user container directories (module code, module data).</summary>
    public string StateDirectory { get; set; } = "/var/lib/netserv";

    /// <summary>Soft state: a SETUP without ttl lives this long.</summary>
    public int DefaultTtlSeconds { get; set; } = 3600;

    /// <summary>Soft state: no module lives longer than this without a refresh.</summary>
    public int MaxTtlSeconds { get; set; } = 86400;

    public ModuleCacheOptions ModuleCache { get; set; } = new();

    public ContainerSettings Containers { get; set; } = new();

    public ForwardingOptions Forwarding { get; set; } = new();

    public SignalingOptions Signaling { get; set; } = new();

    public ReverseRoutabilityOptions ReverseRoutability { get; set; } = new();

    public List<UserOptions> Users { get; set; } = [];
}

/// <summary>Where downloaded module packages are kept and how they are fetched.</summary>
internal sealed class ModuleCacheOptions
{
    /// <summary>Defaults to &lt;StateDirectory&gt;/cache.</summary>
    public string? Directory { get; set; }

    public long MaxPackageBytes { get; set; } = 64L * 1024 * 1024;

    public int DownloadTimeoutSeconds { get; set; } = 30;
}

/// <summary>How service containers are started and confined.</summary>
internal sealed class ContainerSettings
{
    /// <summary>netserv-container.dll; defaults to the one next to netservd.</summary>
    public string? Executable { get; set; }

    /// <summary>netserv-sandbox; defaults to the one next to netservd.</summary>
    public string? Sandbox { get; set; }

    /// <summary>The dotnet host that runs the container; defaults to the one running netservd.</summary>
    public string? Dotnet { get; set; }

    /// <summary>Container of the i-th user runs as uid/gid UidBase + i.</summary>
    public int UidBase { get; set; } = 64200;

    /// <summary>The i-th user's NFQUEUE number is QueueBase + i, unless the user names one.</summary>
    public int QueueBase { get; set; } = 100;

    /// <summary>Evaluation configuration 3: containers accept every packet without a module layer.</summary>
    public bool NoModuleLayer { get; set; }

    /// <summary>A module call in the packet path longer than this is a hang.</summary>
    public int HangTimeoutMs { get; set; } = 1000;

    /// <summary>Pin every container's queue reader to this CPU (the evaluation sets it).</summary>
    public int? ReaderCpu { get; set; }

    public int BatchSize { get; set; } = 64;

    public int QueueMaxLength { get; set; } = 4096;

    /// <summary>How long a container may take from launch to its hello.</summary>
    public int StartTimeoutSeconds { get; set; } = 30;

    /// <summary>How long a control request may take (module installs include the module's start).</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>A container that dies more often than this within a minute is restarted more slowly (back-off up to 30 s).</summary>
    public int MaxRestartsPerMinute { get; set; } = 5;

    /// <summary>Landlock: required, optional (used where the kernel has it), or off.</summary>
    public string Landlock { get; set; } = "optional";

    /// <summary>Log level inside containers.</summary>
    public string LogLevel { get; set; } = "Information";

    /// <summary>Extra environment for the container processes (for example DOTNET_ settings).</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>
    /// The only programs besides the runtime that modules may start (Landlock execute rights); those
    /// missing on the node are left out. ffmpeg is here for ActiveCDN's content processing.
    /// </summary>
    public List<string> Programs { get; set; } = ["/usr/bin/ffmpeg", "/usr/bin/ffprobe"];
}

/// <summary>The forwarding plane: netfilter chains that steer packets into containers.</summary>
internal sealed class ForwardingOptions
{
    /// <summary>The chain netservd owns in the filter table; flushed and removed at start and stop.</summary>
    public string Chain { get; set; } = "NETSERV";

    /// <summary>The built-in chains that jump to <see cref="Chain"/>.</summary>
    public List<string> Hooks { get; set; } = ["FORWARD"];

    /// <summary>--queue-bypass: packets pass when no container reads the queue (fail-open).</summary>
    public bool QueueBypass { get; set; } = true;

    public string Iptables { get; set; } = "iptables";
}

/// <summary>On-path signaling: GIST and the NetServ NSLP.</summary>
internal sealed class SignalingOptions
{
    /// <summary>Whether the node takes part in signaling (the admin API works either way).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The GIST port for UDP (D-mode, Q-mode) and TCP (C-mode).</summary>
    public int Port { get; set; } = 270;

    /// <summary>Take Queries passing through the node off the forwarding path (an NFQUEUE rule on udp/270 in the node's chain).</summary>
    public bool Intercept { get; set; } = true;

    /// <summary>The NFQUEUE that intercepted Queries go to; must differ from the users' queues.</summary>
    public int Queue { get; set; } = 99;

    /// <summary>How long a Query waits for its Response before it is sent again (doubling each time).</summary>
    public int QueryTimeoutMs { get; set; } = 300;

    /// <summary>How often a Query is sent again before the node concludes it is the last NetServ node on the path.</summary>
    public int QueryRetries { get; set; } = 2;

    /// <summary>The doubling of the Query timeout stops here: many retries in a bounded wait on a lossy path.</summary>
    public int QueryMaxTimeoutMs { get; set; } = 60_000;

    /// <summary>How long a request passed on waits for its answer before it is sent again (doubling each time, up to <see cref="RetransmitMaxMs"/>).</summary>
    public int RetransmitInitialMs { get; set; } = 500;

    /// <summary>The longest wait between two sendings of a request passed on.</summary>
    public int RetransmitMaxMs { get; set; } = 4000;

    /// <summary>How many answers the node keeps to answer a repeated request from its first result.</summary>
    public int AnsweredRequestsKept { get; set; } = 10_000;

    /// <summary>How long routing state lives without a refresh.</summary>
    public int RoutingStateSeconds { get; set; } = 30;

    /// <summary>How long the node waits for the rest of the path to answer a request it passed on.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Messages longer than this go over TCP (C-mode).</summary>
    public int MaxDatagramBytes { get; set; } = 1400;

    /// <summary>
    /// The IPv4 Router Alert value the node's Queries carry: RFC 5971 5.3.2 gives each NSLP its own, and the
    /// NetServ NSLP's is 65503 (RFC 5350's experimental range). Queries passing through are intercepted whatever
    /// value they carry.
    /// </summary>
    public int RouterAlertValue { get; set; } = 65503;
}

/// <summary>
/// The reverse-routability check of paper section 5.2: a user may filter a single address outside
/// their configured prefixes by storing a one-time password on the server at that address and
/// sending it in the SETUP; the node fetches it from the address and compares.
/// </summary>
internal sealed class ReverseRoutabilityOptions
{
    /// <summary>Whether SETUP requests may prove ownership this way (off: only configured prefixes count).</summary>
    public bool Enabled { get; set; }

    /// <summary>The HTTP port the node connects to at the claimed address.</summary>
    public int Port { get; set; } = 80;

    /// <summary>The path of the password on that server.</summary>
    public string Path { get; set; } = "/.well-known/netserv-password";

    /// <summary>How long the node waits for the server.</summary>
    public int TimeoutMs { get; set; } = 3000;
}

/// <summary>A NetServ user: their key and what they may claim.</summary>
internal sealed class UserOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The user's public key (PEM), used to verify signed signaling.</summary>
    public string? PublicKey { get; set; }

    /// <summary>Destination prefixes the user's packet filters may select.</summary>
    public List<string> AllowedPrefixes { get; set; } = [];

    /// <summary>Ports the user's server modules may listen on.</summary>
    public List<int> AllowedPorts { get; set; } = [];

    public int MemoryLimitMb { get; set; } = 256;

    /// <summary>CPU share in cores (0.5 = half a core).</summary>
    public double CpuLimit { get; set; } = 1.0;

    /// <summary>The user's NFQUEUE number; defaults to QueueBase + the user's index.</summary>
    public int? Queue { get; set; }
}
