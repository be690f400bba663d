namespace NetServ.Testbed.Docker;

/// <summary>How a <see cref="DockerTestbed"/> realises a request.</summary>
public sealed class DockerTestbedOptions
{
    /// <summary>The node image, used for a node whose request names no disk image.</summary>
    public const string NodeImage = "netserv/node:latest";

    /// <summary>
    /// A stock Debian 12 machine as an aggregate hands one out (sshd and sudo, no NetServ), which ./lab image builds too: a node
    /// of this image becomes a NetServ node through the install tarball's <c>install</c> and <c>execute</c> services.
    /// </summary>
    public const string StockImage = "netserv/stock-debian:bookworm";

    /// <summary>The engine to use, or to start when none answers.</summary>
    public DockerEngineOptions Engine { get; init; } = new();

    /// <summary>When set, every node runs this image whatever its <c>disk_image</c> says (the quickstart's GENI rspec names an Emulab image).</summary>
    public string? Image { get; init; }

    /// <summary>
    /// The nodes whose container runs the image's service (sshd and netservd); the others run sshd alone, as a GENI
    /// node the node image is not installed on. <see langword="null"/>: every node runs netservd.
    /// </summary>
    public IReadOnlyCollection<string>? NetServNodes { get; init; }

    /// <summary>
    /// What the NetServ nodes' containers run after the image's entrypoint started sshd, in place of the image's netservd;
    /// <see langword="null"/>: the image's netservd.
    /// </summary>
    public IReadOnlyList<string>? NetServCommand { get; init; }

    /// <summary>How long a container may take until its sshd accepts the run's key.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one <c>execute</c> service may run before it is killed.</summary>
    public TimeSpan ExecuteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How much of a service's output is kept.</summary>
    public int OutputLimit { get; init; } = 64 * 1024;

    /// <summary>Whether realising runs the nodes' <c>install</c> services (archives fetched here, unpacked over SSH) once every node answers.</summary>
    public bool RunInstallServices { get; init; } = true;

    /// <summary>
    /// Whether a node with <c>install</c> services reaches the Debian mirror through an HTTP proxy on this machine's end of
    /// its control link (<see cref="Http.ForwardProxy"/>, written into its apt configuration before the install services run),
    /// as a GENI node reaches the Internet: the node has no other way off this machine.
    /// </summary>
    public bool AptProxy { get; init; } = true;

    /// <summary>How long fetching one <c>install</c> service's archive may take.</summary>
    public TimeSpan InstallFetchTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Whether realising runs the nodes' <c>execute</c> services (over SSH) once every node answers, after the <c>install</c> services.</summary>
    public bool RunExecuteServices { get; init; } = true;

    /// <summary>Whether subnets outside 198.18.0.0/15 are remapped into it (as on the local testbed).</summary>
    public bool RemapAddresses { get; init; }

    /// <summary>The MTU of the links.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>
    /// Files put into every container before it starts, by absolute path (the node's configuration, as an
    /// aggregate's disk seed would): the image's service starts netservd with them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Files put into one node's container before it starts, by the node's <c>client_id</c> and then by absolute path, over
    /// <see cref="Files"/> (each NetServ node's own netserv.json, say).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NodeFiles { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>
    /// SSH public keys (one <c>authorized_keys</c> line each) that log into every node as root beside the run's key:
    /// an aggregate's users (<c>geni_users</c>).
    /// </summary>
    public IReadOnlyList<string> AuthorizedKeys { get; init; } = [];

    /// <summary>Labels every container carries beside the testbed's own (what an aggregate finds its slivers by).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether the run's SSH key is put into each container for root; off only to see how a refused key is reported.</summary>
    public bool InstallRunKey { get; init; } = true;

    /// <summary>Where dockerd's start is said, when this testbed starts one.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>Called before each step of realising, with the step's name (tests fail a step on purpose).</summary>
    public Action<string>? BeforeStep { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (ReadyTimeout <= TimeSpan.Zero || ExecuteTimeout <= TimeSpan.Zero || InstallFetchTimeout <= TimeSpan.Zero || OutputLimit <= 0 || Mtu is < 576 or > 9000)
        {
            throw new ArgumentException("the timeouts and the output limit must be positive and the MTU 576-9000");
        }

        if (AuthorizedKeys.FirstOrDefault(k => string.IsNullOrWhiteSpace(k) || k.Contains('\n', StringComparison.Ordinal)) is { } key)
        {
            throw new ArgumentException($"'{key}' is not one authorized_keys line");
        }

        if (Files.Keys.Concat(NodeFiles.Values.SelectMany(f => f.Keys)).FirstOrDefault(p => !p.StartsWith('/') || p.EndsWith('/') || p.Split('/').Contains("..")) is { } bad)
        {
            throw new ArgumentException($"'{bad}' is not an absolute file path");
        }
    }
}
