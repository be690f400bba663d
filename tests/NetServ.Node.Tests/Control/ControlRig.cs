using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NetServ.Contracts.Configuration;
using NetServ.Networking;
using NetServ.Node.Configuration;
using NetServ.Node.Control;
using NetServ.Node.Forwarding;
using NetServ.Node.Signaling;
using NetServ.Node.Tests.Forwarding;
using NetServ.Sdk;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Control;

/// <summary>
/// The controller and its parts wired as netservd wires them, over fakes: containers and module files
/// in memory, iptables in memory, a fake clock. Nothing needs root, nothing sleeps.
/// </summary>
internal sealed class ControlRig : IAsyncDisposable
{
    public const string NetMonitor = "NetServ.Apps.NetMonitor_1.0.0";
    public const string KeepAlive = "NetServ.Apps.KeepAlive_1.0.0";

    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private ControlRig(NodeConfiguration settings)
    {
        Settings = settings;
        var options = Options.Create(settings);
        Containers = new FakeContainerHost(settings);
        Forwarding = new ForwardingPlane(Iptables, options, NullLogger<ForwardingPlane>.Instance);
        Table = new ModuleTable(Time);

        // Not disposed with the rig: its semaphores never make a wait handle, so there is nothing to release.
        var locks = new UserLocks(options);
        Failures = new RecentFailures(Time);
        Removals = new RecentRemovals(Time);
        var ownership = new ReverseRoutabilityCheck(new NoHttpClients(), options, Time, NullLogger<ReverseRoutabilityCheck>.Instance);
        Policy = new InstallPolicy(options, ownership);
        Filters = new FilterAnnouncer(Containers, Table, NullLogger<FilterAnnouncer>.Instance);
        Installer = new ModuleInstaller(Containers, Store, Forwarding, Table, Filters, Removals, Time, NullLogger<ModuleInstaller>.Instance);
        Recovery = new ContainerRecovery(Containers, Table, Installer, Filters, locks, Failures, Time, NullLogger<ContainerRecovery>.Instance);
        Status = new StatusReport(options, Containers, Forwarding, Table, Failures, Removals, ownership, Signaling, Time);
        Controller = new Controller(options, Containers, Policy, Installer, Table, Status, Recovery, locks, NullLogger<Controller>.Instance);
    }

    public NodeConfiguration Settings { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeIptables Iptables { get; } = new();

    public FakeModuleStore Store { get; } = new();

    public FakeContainerHost Containers { get; }

    public ForwardingPlane Forwarding { get; }

    public ModuleTable Table { get; }

    public RecentFailures Failures { get; }

    public RecentRemovals Removals { get; }

    public SignalingStatistics Signaling { get; } = new();

    public InstallPolicy Policy { get; }

    public FilterAnnouncer Filters { get; }

    public ModuleInstaller Installer { get; }

    public ContainerRecovery Recovery { get; }

    public StatusReport Status { get; }

    public Controller Controller { get; }

    /// <summary>The modules' rules in the node's chain, as iptables lists them.</summary>
    public List<string> Rules => Iptables.RulesOf(Settings.Forwarding.Chain);

    /// <summary>
    /// A node named node-a with two users: alice may filter 198.19.0.0/16 and listen on 8080 and 8443,
    /// bob may filter 198.20.1.0/24 and listen nowhere. Signaling is off: its rule is not what these tests look at.
    /// </summary>
    public static NodeConfiguration DefaultSettings() => new()
    {
        NodeName = "node-a",
        Signaling = { Enabled = false },
        Users =
        [
            new UserConfiguration { Name = "alice", AllowedPrefixes = ["198.19.0.0/16"], AllowedPorts = [8080, 8443] },
            new UserConfiguration { Name = "bob", AllowedPrefixes = ["198.20.1.0/24"] },
        ],
    };

    /// <summary>A rig whose forwarding plane has made its chain, as at the node's start.</summary>
    public static async Task<ControlRig> StartAsync(Action<NodeConfiguration>? configure = null)
    {
        var settings = DefaultSettings();
        configure?.Invoke(settings);
        var rig = new ControlRig(settings);
        await rig.Forwarding.StartAsync(CancellationToken.None);
        return rig;
    }

    /// <summary>A SETUP as the signaling layer hands it to the controller; a packet filter when destinations or a port are given.</summary>
    public static SetupRequest Setup(
        string user,
        string module = NetMonitor,
        string? filterDestinations = null,
        int? filterPort = null,
        TimeSpan? ttl = null,
        string? ownershipPassword = null,
        IReadOnlyList<string>? dependencies = null)
    {
        if (!ModuleName.TryParse(module, out var name, out var error))
        {
            throw new ArgumentException(error, nameof(module));
        }

        Ipv4Prefix[] destinations = filterDestinations is null ? [] : filterDestinations.Split(',').Select(d => Ipv4Prefix.Parse(d)).ToArray();
        return new SetupRequest
        {
            Module = name,
            User = user,
            Url = new Uri($"http://198.18.0.10/modules/{module}.nupkg"),
            Digest = SHA256.HashData(Encoding.UTF8.GetBytes(module)),
            HasFilter = filterDestinations is not null || filterPort is not null,
            FilterProtocol = filterPort is null ? FilterProtocol.Any : FilterProtocol.Udp,
            FilterPort = filterPort,
            FilterDestinations = destinations,
            Ttl = ttl,
            OwnershipPassword = ownershipPassword,
            Dependencies = dependencies ?? [],
        };
    }

    /// <summary>What the installer makes of <paramref name="setup"/> once the install policy allowed it.</summary>
    public async Task<Outcome<ModuleRecord>> InstallAsync(SetupRequest setup)
    {
        var decision = await Policy.AuthoriseAsync(setup, CancellationToken.None);
        if (decision.IsRefused(out var refusal, out var grant))
        {
            throw new InvalidOperationException($"the install policy refused the test's SETUP: {refusal}");
        }

        if (!Containers.TryGet(setup.User, out var container))
        {
            throw new InvalidOperationException($"no container for {setup.User}");
        }

        return await Installer.InstallAsync(new InstallCommand(setup, grant, container, RequestOrigin.Admin), CancellationToken.None);
    }

    /// <summary>Installs a module that the test needs in place, and returns its record.</summary>
    public async Task<ModuleRecord> InstalledAsync(SetupRequest setup)
    {
        var outcome = await InstallAsync(setup);
        if (outcome.IsRefused(out var refusal, out var record))
        {
            throw new InvalidOperationException($"the test's module was not installed: {refusal}");
        }

        return record;
    }

    public ValueTask DisposeAsync()
    {
        Filters.Dispose();
        return Table.DisposeAsync();
    }

    /// <summary>No HTTP here: the reverse-routability check must decide without asking a server.</summary>
    private sealed class NoHttpClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException($"the test asked for the HTTP client '{name}'");
    }
}
