using System.Globalization;
using System.Text;
using NetServ.Contracts.Configuration;
using NetServ.Geni.AmApi;
using NetServ.RSpec;
using NetServ.Testbed;
using NetServ.Testbed.Geni;
using NetServ.Testbed.Ssh;

namespace NetServ.Orchestrator.Experiments;

/// <summary>What a run on a GENI aggregate needs (<c>--aggregate</c>): the slice there, who the user is, how long to wait.</summary>
/// <param name="Slice">The slice at the aggregate, with the credentials its calls take.</param>
/// <param name="UserUrn">The user's URN (from the certificate): the nodes authorise the run's SSH key for it at Provision.</param>
internal sealed record AggregateRun(SliceReservation Slice, string UserUrn)
{
    /// <summary>How often and how long to ask Status until every sliver is ready.</summary>
    public StatusPollerOptions Polling { get; init; } = new();

    /// <summary>How long a node may refuse SSH once the aggregate says it is ready (its sshd still starting).</summary>
    public TimeSpan BootRetryWindow { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A GENI aggregate's slivers as the runner works with them. Reserve is Allocate, Provision, PerformOperationalAction
/// geni_start and Status until every sliver is ready (a failed or late one named by its node); the nodes are reached over SSH
/// at the logins the manifest names, with a key made for the run and given to the aggregate in <c>geni_users</c>; release is
/// Delete, which also runs when reserving fails or is stopped, and says when the aggregate refused it.
/// netservd: the aggregate's nodes run the node image (from the image or its install and execute services, as on CloudLab);
/// deploy gives each NetServ node the run's configuration as a GENI node is reconfigured: the new netserv.json uploaded over
/// SSH, then netservd restarted (systemd's netservd.service where systemd runs, else the process in /run/netserv/netservd.pid
/// signalled: the node's supervisor, or this, starts it again).
/// </summary>
internal sealed class AggregateExperimentTestbed : SshExperimentTestbed
{
    /// <summary>Restarts netservd with the configuration in place, however the node runs it; prints how.</summary>
    internal const string RestartNetServd = """
        pidfile=/run/netserv/netservd.pid
        start() {
          mkdir -p /run/netserv /var/lib/netserv
          setsid nohup /opt/netserv/bin/netservd --config /etc/netserv/netserv.json >>/var/log/netservd.log 2>&1 </dev/null &
          echo $! >"$pidfile"
          echo "started netservd (pid $!, log /var/log/netservd.log)"
        }
        if [ -d /run/systemd/system ] && systemctl cat netservd.service >/dev/null 2>&1; then
          systemctl restart netservd.service && echo "restarted netservd.service"
        elif [ -f "$pidfile" ] && old=$(cat "$pidfile") && kill -0 "$old" 2>/dev/null; then
          kill "$old"
          for i in $(seq 1 50); do
            new=$(cat "$pidfile" 2>/dev/null || true)
            if [ -n "$new" ] && [ "$new" != "$old" ] && kill -0 "$new" 2>/dev/null; then echo "netservd restarted by the node's supervisor (pid $new)"; exit 0; fi
            sleep 0.1
          done
          while kill -0 "$old" 2>/dev/null; do sleep 0.1; done
          start
        else
          start
        fi
        """;

    /// <summary>Prints netservd's log, however the node runs it.</summary>
    private const string ReadNetServdLog =
        "if [ -d /run/systemd/system ] && systemctl cat netservd.service >/dev/null 2>&1; then journalctl -u netservd.service --no-pager -n 300; else tail -n 300 /var/log/netservd.log; fi";

    private readonly AggregateTestbed testbed;
    private readonly AggregateRun run;
    private readonly string folder;
    private readonly List<string> leftovers;

    private AggregateExperimentTestbed(AggregateTestbed testbed, AggregateRun run, string folder, List<string> leftovers)
    {
        this.testbed = testbed;
        this.run = run;
        this.folder = folder;
        this.leftovers = leftovers;
    }

    /// <inheritdoc />
    public override ITestbed Testbed => testbed;

    /// <inheritdoc />
    public override string Name => $"aggregate {run.Slice.Client.Aggregate.Name}";

    /// <inheritdoc />
    public override string DeployDescription => "giving netservd on the NetServ nodes the run's configuration and restarting it (over SSH)";

    /// <summary>How the reserve phase describes itself.</summary>
    public static string ReserveDescription(AggregateRun run) =>
        $"reserving slice {run.Slice.SliceUrn} at {run.Slice.Client.Aggregate} (Allocate, Provision, geni_start, Status until ready), then SSH to each node's login";

    /// <summary>
    /// Reserves <paramref name="request"/> (the text of <paramref name="rspecPath"/>) at the aggregate and logs in to its nodes.
    /// Whatever fails, or a stop, deletes the slivers before the exception leaves.
    /// </summary>
    public static async Task<AggregateExperimentTestbed> RealiseAsync(
        RequestRSpec request, string rspecPath, AggregateRun run, TimeSpan executeTimeout, IExperimentProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(progress);
        var folder = Directory.CreateTempSubdirectory("netserv-lab-aggregate-").FullName;
        var leftovers = new List<string>();
        var released = false;
        async Task ReleaseAsync(CancellationToken _)
        {
            if (released)
            {
                return;
            }

            released = true;
            progress.Status($"release: Delete at {run.Slice.Client.Aggregate.Name}");
            var outcome = await run.Slice.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
            progress.Detail(outcome.Description);
            if (!outcome.Released)
            {
                leftovers.Add(outcome.Description);
                return;
            }

            try
            {
                leftovers.AddRange(await run.Slice.LeftoversAsync(CancellationToken.None).ConfigureAwait(false));
            }
            catch (AmApiException e)
            {
                leftovers.Add($"whether anything is left is unknown: {e.Message}");
            }
        }

        try
        {
            var key = await SshKeyPair.CreateAsync(Path.Combine(folder, "ssh"), "netserv-lab run", cancellationToken).ConfigureAwait(false);
            var text = await File.ReadAllTextAsync(rspecPath, cancellationToken).ConfigureAwait(false);
            var manifest = await run.Slice.ReserveAsync(text, [new AmUser(run.UserUrn, [key.PublicKey])], run.Polling, new SynchronousProgress(progress), cancellationToken).ConfigureAwait(false);
            progress.Detail($"every sliver of {run.Slice.SliceUrn} is ready; logging in to {string.Join(", ", manifest.Nodes.Select(n => $"{n.ClientId} {(n.Logins.Count > 0 ? n.Logins[0] : null)}"))}");
            var realised = await AggregateTestbed.ConnectAsync(
                Tag(run.Slice.SliceUrn),
                request,
                manifest,
                new AggregateTestbedOptions
                {
                    PrivateKeyPath = key.PrivateKeyPath,
                    KnownHostsPath = Path.Combine(folder, "known_hosts"),
                    BootRetryWindow = run.BootRetryWindow,
                    ExecuteTimeout = executeTimeout,
                },
                ReleaseAsync,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return new AggregateExperimentTestbed(realised, run, folder, leftovers);
        }
        catch (Exception e)
        {
            await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(folder, recursive: true);
            if (e is AmApiException or SliceReservationException or AggregateTestbedException or NodeUnreachableException)
            {
                var why = leftovers.Count > 0 ? $" ({string.Join("; ", leftovers)})" : " (the slivers were deleted)";
                throw new ExperimentException(e.Message + why, e);
            }

            throw;
        }
    }

    /// <inheritdoc />
    public override string Where(ITestbedNode node) => $"{Login(node)} at {run.Slice.Client.Aggregate.Name}";

    /// <inheritdoc />
    public override string EnterCommand(ITestbedNode node)
    {
        var login = Login(node);
        return $"ssh -i {testbed.PrivateKeyPath} -o UserKnownHostsFile={testbed.KnownHostsPath} -p {login.Port.ToString(CultureInfo.InvariantCulture)} {login.Username ?? "root"}@{login.Hostname}";
    }

    /// <inheritdoc />
    public override async Task<IExperimentNetServd> StartNetServdAsync(ITestbedNode node, NodeConfiguration configuration, CancellationToken cancellationToken)
    {
        var own = Own(node);
        await RunCheckedAsync(own, ["mkdir", "-p", Path.GetDirectoryName(ConfigurationPath)!], cancellationToken).ConfigureAwait(false);
        using (var json = new MemoryStream(Encoding.UTF8.GetBytes(ImageConfiguration(configuration))))
        {
            await own.Session.UploadAsync(json, ConfigurationPath, cancellationToken).ConfigureAwait(false);
        }

        var how = (await RunCheckedAsync(own, ["sh", "-c", RestartNetServd], cancellationToken).ConfigureAwait(false)).Trim();
        return await WaitForNetServdAsync(own, configuration, $"the node image's on {Login(node)}, {ConfigurationPath} uploaded at deploy, {how}", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override IEnumerable<string> Leftovers() => leftovers;

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await testbed.DisposeAsync().ConfigureAwait(false);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <inheritdoc />
    protected override async Task<string> ReadLogAsync(ITestbedNode node, CancellationToken cancellationToken)
    {
        var result = await Own(node).Session.RunAsync("sh", ["-c", ReadNetServdLog], CommandTimeout, string.Empty, cancellationToken).ConfigureAwait(false);
        return result.StandardOutput + result.StandardError;
    }

    private NodeLogin Login(ITestbedNode node) => ((AggregateTestbedNode)Own(node)).Login;

    /// <summary>The testbed's tag: the slice's name, in the names of what the run makes.</summary>
    private static string Tag(string sliceUrn) => sliceUrn[(sliceUrn.LastIndexOf('+') + 1)..];

    /// <summary>Reservation steps as the run's status line, reported on the caller's thread (Progress would post them later).</summary>
    private sealed class SynchronousProgress(IExperimentProgress progress) : IProgress<ReservationProgress>
    {
        public void Report(ReservationProgress value) => progress.Status($"reserve: {value.Text}");
    }
}
