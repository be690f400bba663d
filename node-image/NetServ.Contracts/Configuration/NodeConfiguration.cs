using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetServ.Contracts.Configuration;

// netservd's configuration file, one shape for both sides: netservd reads it into these records and
// injects the "NetServ" section as its options; the testbed writes it from the same records. Every
// setting has netservd's default, so a file may leave out whatever it does not change. The records are
// options in the Microsoft.Extensions sense: plain settable properties (tests and netservd's environment
// overrides set them in place), validated by netservd at start.

/// <summary>A netservd configuration file: logging and the node's section.</summary>
public sealed record NodeConfigurationFile
{
    public LoggingConfiguration? Logging { get; set; }

    [JsonPropertyName(NodeConfiguration.SectionName)]
    public required NodeConfiguration NetServ { get; set; }
}

/// <summary>The Microsoft.Extensions.Logging section: the lowest level per category ("Default" for all).</summary>
public sealed record LoggingConfiguration
{
    public Dictionary<string, string>? LogLevel { get; set; }
}

/// <summary>netservd's settings: the "NetServ" section of /etc/netserv/netserv.json (or --config).</summary>
public sealed record NodeConfiguration
{
    /// <summary>The configuration section netservd reads.</summary>
    public const string SectionName = "NetServ";

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

    public ModuleCacheConfiguration ModuleCache { get; set; } = new();

    public ContainerConfiguration Containers { get; set; } = new();

    public ForwardingConfiguration Forwarding { get; set; } = new();

    public SignalingConfiguration Signaling { get; set; } = new();

    public ReverseRoutabilityConfiguration ReverseRoutability { get; set; } = new();

    public List<UserConfiguration> Users { get; set; } = [];
}

/// <summary>Where downloaded module packages are kept and how they are fetched.</summary>
public sealed record ModuleCacheConfiguration
{
    /// <summary>Defaults to &lt;StateDirectory&gt;/cache.</summary>
    public string? Directory { get; set; }

    public long MaxPackageBytes { get; set; } = 64L * 1024 * 1024;

    public int DownloadTimeoutSeconds { get; set; } = 30;
}

/// <summary>How service containers are started and confined.</summary>
public sealed record ContainerConfiguration
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
public sealed record ForwardingConfiguration
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
public sealed record SignalingConfiguration
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

    /// <summary>
    /// Whether a destination with no router between it and this node makes this node the last NetServ node toward it
    /// (no Query is sent on). A node beside an OpenFlow switch whose controller passes signaling on to further NetServ
    /// nodes on the same link sets false: its Query goes on, and the switch takes it to the next node.
    /// </summary>
    public bool OnLinkEndsPath { get; set; } = true;

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
public sealed record ReverseRoutabilityConfiguration
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

/// <summary>A NetServ user: their key, what they may claim, and the limits of their container.</summary>
public sealed record UserConfiguration
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

/// <summary>
/// Source-generated JSON for configuration files: the options' own (PascalCase) names, unset optional settings
/// left out. Reading is as lenient as Microsoft.Extensions.Configuration's JSON files were (names in any case,
/// comments, trailing commas), but a null where a setting needs a value is an error, not a silent null.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(NodeConfigurationFile))]
public sealed partial class ConfigurationJsonContext : JsonSerializerContext;
