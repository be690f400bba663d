using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Contracts.Configuration;
using NetServ.Contracts.Status;
using NetServ.Networking;
using NetServ.RSpec;
using NetServ.Sdk;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Nslp;
using NetServ.Testbed;
using NetServ.Testbed.Docker;
using NetServ.Testbed.Local;
using NetServ.Testbed.Nodes;
using NetServ.Testbed.OpenFlow;

namespace NetServ.Orchestrator.Experiments;

/// <summary>
/// Runs an experiment described by an rspec on the local or the Docker testbed, phase by phase: reserve
/// (realise the rspec), deploy (netservd on the NetServ nodes: from the build output on the local testbed,
/// in place of the rspec's execute service that would start /opt/netserv/netservd on a GENI node; the node
/// image's service on the Docker testbed), configure (install modules through signaling), run (the rspec's
/// other execute services, then traffic), collect (logs, PROBE answers, counts) and release (REMOVE, stop,
/// release the testbed, check that nothing is left). Release runs always: after a failure, and after a
/// stop (Ctrl-C, SIGTERM). The phases are the same on every testbed: the testbed is used through
/// <see cref="ITestbed"/> and its nodes' sessions, and what each testbed does its own way (netservd,
/// signaling, the module server, the traffic) goes through <see cref="IExperimentTestbed"/>.
/// </summary>
internal sealed partial class ExperimentRunner(ExperimentOptions options, IExperimentProgress progress, TimeProvider time, ILogger<ExperimentRunner> logger) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, IExperimentNetServd> _nodes = new(StringComparer.Ordinal);
    private readonly List<IModuleServer> _servers = [];
    private readonly List<(ModuleReport Report, ITestbedNode From, Ipv4Address Toward, string Module)> _installed = [];
    private readonly HashSet<ExecuteService> _installedAtReserve = new(ReferenceEqualityComparer.Instance);
    private ITestbed? _testbed;
    private IExperimentTestbed? _bed;
    private ExperimentSignaling? _signaling;
    private IReadOnlyList<int> _ports = [];

    /// <summary>Runs every phase on <paramref name="request"/> (read from <paramref name="rspecPath"/>) and returns what happened; throws only for bugs.</summary>
    public async Task<ExperimentResult> RunAsync(RequestRSpec request, string rspecPath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = new ExperimentResult { RSpec = rspecPath };
        var phases = new (ExperimentPhase Phase, string Description, Func<List<string>, Task> Work)[]
        {
            (ExperimentPhase.Reserve, ReserveDescription, notes => ReserveAsync(request, rspecPath, result, notes, cancellationToken)),
            (ExperimentPhase.Deploy, DeployDescription, notes => DeployAsync(request, result, notes, cancellationToken)),
            (ExperimentPhase.Configure, "installing modules through signaling (signed SETUP toward a destination)", notes => ConfigureAsync(result, notes, cancellationToken)),
            (ExperimentPhase.Run, "running the rspec's execute services and the traffic", notes => RunPhaseAsync(result, notes, cancellationToken)),
            (ExperimentPhase.Collect, "collecting logs, PROBE answers and counts", notes => CollectAsync(result, notes, cancellationToken)),
        };
        var held = false;
        try
        {
            var failed = false;
            foreach (var (phase, description, work) in phases)
            {
                if (failed)
                {
                    Report(result, new PhaseReport(phase, PhaseOutcome.Skipped, TimeSpan.Zero, null, []));
                    continue;
                }

                failed = !await PhaseAsync(result, phase, description, work, cancellationToken).ConfigureAwait(false);
            }

            if (options.Hold && !failed)
            {
                held = await HoldAsync(result, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Ctrl-C that ends a hold is the way a held run ends: release as after any finished run.
            var stopped = held ? CancellationToken.None : cancellationToken;
            await PhaseAsync(result, ExperimentPhase.Release, ReleaseDescription, notes => ReleaseAsync(result, notes, stopped), CancellationToken.None).ConfigureAwait(false);
            options.View?.Model.SetPhase(result.Succeeded ? "released: the experiment succeeded" : "released: the experiment failed");
            await WriteSummaryAsync(result).ConfigureAwait(false);
        }

        return result;
    }

    private string ReserveDescription => options.Testbed switch
    {
        ExperimentTestbedKind.Docker => $"realising the rspec on the Docker testbed (a container of {options.Image ?? "the rspec's disk images"} per node, veth per link, a bridge per LAN, SSH on a control network)",
        ExperimentTestbedKind.Aggregate => AggregateExperimentTestbed.ReserveDescription(Aggregate),
        _ => "realising the rspec on the local testbed (a namespace per node, veth per link, a bridge per LAN)",
    };

    private string DeployDescription => options.Testbed switch
    {
        ExperimentTestbedKind.Docker => "waiting for netservd, started by the node image's service, on the NetServ nodes (over SSH)",
        ExperimentTestbedKind.Aggregate => "giving netservd on the NetServ nodes the run's configuration and restarting it (over SSH)",
        _ => "starting netservd from the build output on the NetServ nodes",
    };

    private string ReleaseDescription => options.Testbed switch
    {
        ExperimentTestbedKind.Docker => "removing the modules, removing the containers and their links",
        ExperimentTestbedKind.Aggregate => "removing the modules, deleting the slivers at the aggregate (Delete)",
        _ => "removing the modules, stopping the nodes, removing the namespaces",
    };

    private AggregateRun Aggregate => options.Aggregate ?? throw new InvalidOperationException("a run on an aggregate needs its AggregateRun");

    /// <summary>Runs one phase, timing it and turning its failure into the phase's outcome; false when the run cannot go on.</summary>
    private async Task<bool> PhaseAsync(ExperimentResult result, ExperimentPhase phase, string description, Func<List<string>, Task> work, CancellationToken cancellationToken)
    {
        progress.PhaseStarted(phase, description);
        options.View?.Model.SetPhase(ExperimentResult.NameOf(phase));
        var started = time.GetTimestamp();
        var notes = new List<string>();
        PhaseOutcome outcome;
        string? error = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await work(notes).ConfigureAwait(false);
            outcome = PhaseOutcome.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = PhaseOutcome.Stopped;
            error = "stopped (Ctrl-C or SIGTERM)";
        }
        catch (Exception e)
        {
            // The boundary of a phase: whatever went wrong, the run goes on to release.
            outcome = PhaseOutcome.Failed;
            error = Describe(e);
            Log.PhaseFailed(logger, ExperimentResult.NameOf(phase), e);
        }

        Report(result, new PhaseReport(phase, outcome, time.GetElapsedTime(started), error, notes));
        return outcome == PhaseOutcome.Ok;
    }

    private void Report(ExperimentResult result, PhaseReport report)
    {
        result.Phases.Add(report);
        progress.PhaseFinished(report);
    }

    private void Note(List<string> notes, string text)
    {
        notes.Add(text);
        progress.Detail(text);
    }

    private async Task ReserveAsync(RequestRSpec request, string rspecPath, ExperimentResult result, List<string> notes, CancellationToken cancellationToken)
    {
        // The user's key and ports first: a Docker node's netservd starts with its container, configured.
        var netserv = ExperimentTopology.NetServNodes(request, options.NetServNodes);
        if (netserv.Count > 0)
        {
            _signaling = new ExperimentSignaling((node, key, ct) => _bed!.StartSignalingAsync(node, options.User, key, ct), options.SignalingTimeout);
            _ports = options.AllowedPorts ?? [.. DeclaredPorts(notes).Union(ControllerPorts(request, notes)).Order()];
        }

        // Execute services run in the run phase, after deploy: some of them need netservd.
        var (bed, map, assigned, realisedRequest) = options.Testbed switch
        {
            ExperimentTestbedKind.Docker => await RealiseDockerAsync(request, netserv, cancellationToken).ConfigureAwait(false),
            ExperimentTestbedKind.Aggregate => (await AggregateExperimentTestbed.RealiseAsync(request, rspecPath, Aggregate, options.ExecuteTimeout, progress, cancellationToken).ConfigureAwait(false), [], [], request),
            _ => await RealiseLocalAsync(request, cancellationToken).ConfigureAwait(false),
        };
        _bed = bed;
        var testbed = bed.Testbed;
        _testbed = testbed;
        result.TestbedId = testbed.Id;
        var addressLines = Commands.ValidateCommand.AddressLines(map, assigned).ToArray();
        result.AddressMap.AddRange(map.Select(m => m.ToString()));
        result.AssignedAddresses.AddRange(assigned.Select(a => a.ToString()));
        foreach (var line in addressLines)
        {
            Note(notes, line);
        }

        foreach (var node in testbed.Nodes)
        {
            var addresses = node.Interfaces.Select(i => $"{i.Address}/{i.PrefixLength}").ToArray();
            var where = bed.Where(node);
            result.Nodes.Add(new NodeReport(node.ClientId, where, addresses, netserv.Contains(node.ClientId)));
            Note(notes, $"{node.ClientId,-10} {where}  {string.Join(", ", node.Interfaces.Select(i => $"{i.Device} {i.Address}/{i.PrefixLength}"))}");
        }

        options.View?.Model.SetTopology($"{Path.GetFileName(result.RSpec)} on {bed.Name} {testbed.Id}", realisedRequest, testbed, netserv);
        if (options.Testbed == ExperimentTestbedKind.Docker)
        {
            await InstallNodesAsync(testbed, result, notes, cancellationToken).ConfigureAwait(false);
        }

        var manifest = Path.Combine(ResultsFolder(result), "manifest.rspec.xml");
        await File.WriteAllTextAsync(manifest, LocalManifest.Write(realisedRequest, $"{bed.Name} {testbed.Id}", addressLines), cancellationToken).ConfigureAwait(false);
        Note(notes, $"the rspec as realised (chosen and remapped addresses in place): {manifest}");
    }

    private async Task<(IExperimentTestbed, IReadOnlyList<SubnetMapping>, IReadOnlyList<AssignedAddress>, RequestRSpec)> RealiseLocalAsync(RequestRSpec request, CancellationToken cancellationToken)
    {
        var realised = await LocalTestbed.RealiseAsync(
            request,
            new LocalTestbedOptions { RunExecuteServices = false, ExecuteTimeout = options.ExecuteTimeout, RemapAddresses = options.RemapAddresses },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return (new LocalExperimentTestbed(realised, time, logger), realised.AddressMap, realised.AssignedAddresses, realised.Request);
    }

    private async Task<(IExperimentTestbed, IReadOnlyList<SubnetMapping>, IReadOnlyList<AssignedAddress>, RequestRSpec)> RealiseDockerAsync(RequestRSpec request, IReadOnlyList<string> netserv, CancellationToken cancellationToken)
    {
        var files = netserv.ToDictionary(
            n => n,
            n => (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [DockerExperimentTestbed.ConfigurationPath] = DockerExperimentTestbed.ImageConfiguration(ConfigurationOf(request, n, netserv)) },
            StringComparer.Ordinal);
        var realised = await DockerTestbed.RealiseAsync(
            request,
            new DockerTestbedOptions
            {
                Image = options.Image,
                NetServNodes = netserv,
                NodeFiles = files,
                RunExecuteServices = false,
                ExecuteTimeout = options.ExecuteTimeout,
                RemapAddresses = options.RemapAddresses,
                Log = new ProgressWriter(progress),
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return (new DockerExperimentTestbed(realised), realised.AddressMap, realised.AssignedAddresses, realised.Request);
    }

    /// <summary>
    /// The netservd configuration of NetServ node <paramref name="name"/>: the run's user, with its key, prefixes and ports.
    /// A node that a switch's controller passes signaling on from (every NetServ node on the switch but the last) does
    /// not end signaling at an on-link destination.
    /// </summary>
    private NodeConfiguration ConfigurationOf(RequestRSpec request, string name, IReadOnlyCollection<string> netservNodes) => new()
    {
        NodeName = name,
        Containers = { LogLevel = options.NodeLogLevel },
        Signaling = { OnLinkEndsPath = !SwitchNetServNodes.PassesSignalingOn(request, name, netservNodes) },
        Users = [new UserConfiguration { Name = options.User, AllowedPrefixes = [.. options.UserPrefixes], PublicKey = _signaling!.PublicKeyPem, AllowedPorts = [.. _ports] }],
    };

    private async Task DeployAsync(RequestRSpec request, ExperimentResult result, List<string> notes, CancellationToken cancellationToken)
    {
        var testbed = _testbed!;
        var bed = _bed!;
        var netserv = result.Nodes.Where(n => n.NetServ).ToArray();
        if (netserv.Length == 0 || _signaling is null)
        {
            Note(notes, "no NetServ node: no execute service starts netservd and --netserv-nodes names none");
            return;
        }

        foreach (var node in request.Nodes)
        {
            foreach (var service in node.Executes.Where(ExperimentTopology.StartsNetServd))
            {
                Note(notes, $"{node.ClientId}: its execute service starts /opt/netserv/netservd on a GENI node; on {bed.Name} this deploy replaces it");
            }
        }

        result.User = new UserReport(options.User, _signaling.WriteKey(Path.Combine(result.ResultsDirectory!, $"{options.User}.key")), _ports);
        Note(notes, $"the key of user '{options.User}' is {result.User.KeyFile} (its public half beside it): module servers sign with it");
        progress.Status($"deploy: netservd on {string.Join(", ", netserv.Select(n => n.Name))}");
        var starts = netserv.Select(n => (Report: n, Start: bed.StartNetServdAsync(ExperimentTopology.Node(testbed, n.Name), ConfigurationOf(request, n.Name, [.. netserv.Select(m => m.Name)]), cancellationToken))).ToArray();
        // Every start is awaited, so that release stops each node that came up even when another did not.
        await Task.WhenAll(starts.Select(s => s.Start)).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
        var failures = new List<string>();
        foreach (var (report, start) in starts)
        {
            if (start.IsCompletedSuccessfully)
            {
                var netservd = start.Result;
                _nodes.Add(report.Name, netservd);
                report.NetServdPid = netservd.Pid;
                report.NetServName = netservd.Name;
                Note(notes, $"{report.Name}: netservd, {netservd.Origin}: user '{options.User}' may claim {string.Join(", ", options.UserPrefixes)} and listen on ports {ExperimentArguments.FormatPorts(_ports)}");
            }
            else if (start.Exception is { } failure)
            {
                failures.Add($"netservd on {report.Name} did not start: {Describe(failure)}");
            }
        }

        options.View?.Watch(_nodes.ToDictionary(StringComparer.Ordinal), time);
        cancellationToken.ThrowIfCancellationRequested();
        if (failures.Count > 0)
        {
            throw new ExperimentException(string.Join("; ", failures));
        }

        if (testbed is ISwitchTestbed switching && switching.Switches.Count > 0)
        {
            progress.Status("deploy: the switches' controllers");
            try
            {
                var package = ModuleCatalog.Resolve(OpenFlowControllerModule);
                foreach (var nodes in SwitchNetServNodes.Find(switching, _nodes.Keys))
                {
                    foreach (var line in await SwitchControllerDeployment.InstallAsync(switching, nodes, _nodes[nodes.ControllerNode], package, options.User, cancellationToken).ConfigureAwait(false))
                    {
                        Note(notes, line);
                    }
                }
            }
            catch (InvalidOperationException e)
            {
                throw new ExperimentException(e.Message, e);
            }
        }
    }

    /// <summary>The module that is the switches' controller on the local and the Docker testbed (applications/OpenFlowController).</summary>
    private const string OpenFlowControllerModule = "OpenFlowController";

    /// <summary>The ports the switches' controllers listen on (the OpenFlowController module, installed for the run's user on the local and the Docker testbed).</summary>
    private int[] ControllerPorts(RequestRSpec request, List<string> notes)
    {
        if (options.Testbed == ExperimentTestbedKind.Aggregate)
        {
            return [];
        }

        var ports = OpenFlowSwitchNode.All(request).Select(s => s.Controller?.Port).OfType<int>().Distinct().ToArray();
        if (ports.Length > 0)
        {
            Note(notes, $"the switches' controller (OpenFlowController) listens on port {ExperimentArguments.FormatPorts(ports)}: allowed");
        }

        return ports;
    }

    /// <summary>The ports the modules' packages declare, with the properties each is given; a module that cannot be resolved is left to configure to report.</summary>
    private IReadOnlyList<int> DeclaredPorts(List<string> notes)
    {
        var ports = new SortedSet<int>();
        foreach (var step in options.Modules)
        {
            string? declaration;
            try
            {
                declaration = ModulePorts.ReadDeclaration(ModuleCatalog.Resolve(step.Module));
            }
            catch (Exception e) when (e is ExperimentException or ModulePackageException)
            {
                continue;
            }

            if (declaration is null)
            {
                continue;
            }

            if (!ModuleProperties.TryParse(step.Properties, out var properties, out var error))
            {
                throw new ExperimentException($"--properties of {step.Module}: {error}");
            }

            try
            {
                var declared = ModulePorts.Resolve(declaration, properties);
                Note(notes, $"{step.Module} declares the ports it listens on ({declaration}): allowing {ExperimentArguments.FormatPorts(declared)}");
                ports.UnionWith(declared);
            }
            catch (FormatException e)
            {
                throw new ExperimentException($"{step.Module}: {e.Message}", e);
            }
        }

        return [.. ports];
    }

    private async Task ConfigureAsync(ExperimentResult result, List<string> notes, CancellationToken cancellationToken)
    {
        var testbed = _testbed!;
        var bed = _bed!;
        foreach (var step in options.Modules)
        {
            if (_signaling is null)
            {
                throw new ExperimentException($"cannot install {step.Module}: the experiment has no NetServ node");
            }

            progress.Status($"configure: {step.Module}");
            var package = ModuleCatalog.Resolve(step.Module);
            var from = ExperimentTopology.Node(testbed, step.From);
            var (owner, toward) = ExperimentTopology.Destination(testbed, step.Toward);
            var server = await bed.ServePackageAsync(from, package, cancellationToken).ConfigureAwait(false);
            _servers.Add(server);
            var setup = ModuleSetup.ForPackage(package, options.User, server.UrlOf) with
            {
                Properties = step.Properties,
                TtlSeconds = step.TtlSeconds,
            };
            if (step.Filter is { } filter)
            {
                var (protocol, port) = ExperimentArguments.ParseFilter(filter);
                setup = setup with
                {
                    FilterProtocol = protocol,
                    FilterPort = port,
                    FilterDestination = step.FilterDestination ?? owner.Interfaces.First(i => i.Address == toward).Subnet.ToString(),
                };
            }

            Note(notes, $"{setup.Module} served by {from.ClientId} at {setup.Url}");
            Note(notes, $"SETUP {setup.Module} from {from.ClientId} toward {toward}{(step.Filter is null ? string.Empty : $", filter {setup.FilterProtocol}/{setup.FilterPort} to {setup.FilterDestination}")}, signed by '{options.User}'");
            var started = time.GetTimestamp();
            var stack = await _signaling.SendAsync(from, toward, setup.ToRequest(), cancellationToken).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            foreach (var node in stack.Nodes)
            {
                Note(notes, $"  {NodeNameOf(result, node.Node)} ({node.Address}): {node.Status} {NslpStatus.ReasonPhrase(node.Status)}{(node.Error is null ? string.Empty : " - " + node.Error)}");
            }

            var refused = stack.Nodes.Where(n => !n.Succeeded).ToArray();
            if (stack.Nodes.Count == 0 || refused.Length > 0)
            {
                throw new ExperimentException(stack.Nodes.Count == 0
                    ? $"SETUP {setup.Module} toward {toward}: no NetServ node answered"
                    : $"SETUP {setup.Module} was refused: {string.Join("; ", refused.Select(n => $"{NodeNameOf(result, n.Node)} {n.Status} {n.Error}"))}");
            }

            var report = new ModuleReport(setup.Module, from.ClientId, toward.ToString(), step.Filter, stack.Nodes.Select(n => NodeNameOf(result, n.Node)).ToArray(), elapsed.TotalMilliseconds);
            result.Modules.Add(report);
            _installed.Add((report, from, toward, setup.Module));
            Note(notes, $"{setup.Module} installed on {string.Join(", ", report.InstalledOn)} in {elapsed.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>
    /// Runs the execute services that install the node image from its tarball (<see cref="ExperimentTopology.InstallsNode"/>) on
    /// the Docker testbed, right after its install services, as an aggregate runs them when the node boots: deploy needs what
    /// they install. The run phase does not run them again.
    /// </summary>
    private async Task InstallNodesAsync(ITestbed testbed, ExperimentResult result, List<string> notes, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (var node in testbed.Nodes)
        {
            foreach (var service in node.Definition.Executes.Where(ExperimentTopology.InstallsNode))
            {
                progress.Status($"reserve: installing the node image on {node.ClientId}");
                _installedAtReserve.Add(service);
                await RunServiceAsync(testbed, node, service, result, notes, failures, cancellationToken).ConfigureAwait(false);
            }
        }

        if (failures.Count > 0)
        {
            throw new ExperimentException(string.Join("; ", failures));
        }
    }

    /// <summary>Runs one execute service, reports and notes it, and adds what went wrong to <paramref name="failures"/>.</summary>
    private async Task RunServiceAsync(ITestbed testbed, ITestbedNode node, ExecuteService service, ExperimentResult result, List<string> notes, List<string> failures, CancellationToken cancellationToken)
    {
        var outcome = await testbed.RunServiceAsync(node, service, cancellationToken).ConfigureAwait(false);
        result.Services.Add(new ServiceReport(node.ClientId, service.Command, outcome.ExitCode, outcome.TimedOut, ReplacedByDeploy: false));
        var summary = outcome.TimedOut ? $"killed after {options.ExecuteTimeout.TotalSeconds:0} s" : $"exit {outcome.ExitCode} in {outcome.Duration.TotalMilliseconds:0} ms";
        Note(notes, $"{node.ClientId}: {summary}: {service.Command}");
        if (!outcome.Succeeded)
        {
            failures.Add($"the execute service on {node.ClientId} {summary}: {outcome.StandardError.Trim()}{outcome.StandardOutput.Trim()}");
        }
    }

    private async Task RunPhaseAsync(ExperimentResult result, List<string> notes, CancellationToken cancellationToken)
    {
        var testbed = _testbed!;
        var failures = new List<string>();
        foreach (var node in testbed.Nodes)
        {
            if (options.Testbed == ExperimentTestbedKind.Aggregate && node.Definition.Executes.Count > 0)
            {
                // A GENI aggregate ran them when the node booted, as it runs every node's install and execute services.
                Note(notes, $"{node.ClientId}: its {node.Definition.Executes.Count} execute services ran at the aggregate when the node booted");
                continue;
            }

            foreach (var service in node.Definition.Executes)
            {
                var isNetServ = result.Nodes.First(n => n.Name == node.ClientId).NetServ;
                if (isNetServ && ExperimentTopology.StartsNetServd(service))
                {
                    result.Services.Add(new ServiceReport(node.ClientId, service.Command, null, false, ReplacedByDeploy: true));
                    continue;
                }

                if (_installedAtReserve.Contains(service))
                {
                    continue;
                }

                if (testbed is ISwitchTestbed switching && switching.Switches.ContainsKey(node.ClientId) && OpenFlowSwitchNode.CreatesBridge(service))
                {
                    // The testbed made the switch this service would make, at reserve.
                    result.Services.Add(new ServiceReport(node.ClientId, service.Command, null, false, ReplacedByDeploy: true));
                    continue;
                }

                progress.Status($"run: execute service on {node.ClientId}");
                await RunServiceAsync(testbed, node, service, result, notes, failures, cancellationToken).ConfigureAwait(false);
            }
        }

        if (failures.Count > 0)
        {
            throw new ExperimentException(string.Join("; ", failures));
        }

        if (options.Traffic is { } traffic)
        {
            result.Traffic = await TrafficRun.RunAsync(_bed!, traffic, progress, cancellationToken).ConfigureAwait(false);
            var t = result.Traffic;
            Note(notes, $"{t.Generator} generator offered {t.Offered} at {t.OfferedRate:0} packets/s{(t.GeneratorLimited ? " (generator-limited: short of the asked rate)" : string.Empty)} (the kernel refused {t.Refused}), received {t.Received} at {t.To} (iptables counter), lost {t.Lost}, in {t.Elapsed.TotalSeconds:0.0} s");
        }

        if (options.Workload is { } workload)
        {
            progress.Status("run: " + workload.Description);
            await workload.RunAsync(_bed!, _nodes, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Keeps the testbed up, saying how to enter each node, until the run is stopped; true once stopped.</summary>
    private async Task<bool> HoldAsync(ExperimentResult result, CancellationToken cancellationToken)
    {
        var lines = _testbed!.Nodes.Select(n => $"{n.ClientId,-10} {_bed!.EnterCommand(n)}").ToList();
        if (result.User is { } user)
        {
            lines.Add($"user '{user.Name}' signs with --user {user.Name} --key {user.KeyFile}");
        }

        lines.Add($"results in {result.ResultsDirectory}");
        progress.Holding(lines);
        options.View?.Model.SetPhase("held until Ctrl-C");
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return true;
    }

    private async Task CollectAsync(ExperimentResult result, List<string> notes, CancellationToken cancellationToken)
    {
        var folder = result.ResultsDirectory!;
        foreach (var (report, from, toward, module) in _installed)
        {
            progress.Status($"collect: PROBE {module}");
            var stack = await _signaling!.SendAsync(from, toward, NslpRequests.ProbeModule(module), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(folder, $"probe-{module}.json"), stack.ToJson().ToJsonString(Indented), cancellationToken).ConfigureAwait(false);
            foreach (var node in stack.Nodes)
            {
                var live = node.Data?["live"];
                var packets = live?["counters"]?["packets"]?.GetValue<long>();
                var flows = (live?["status"]?["flows"] as JsonArray ?? [])
                    .OfType<JsonObject>()
                    .Select(f => new FlowCount(f["source"]!.GetValue<string>(), f["destination"]!.GetValue<string>(), f["ttl"]!.GetValue<int>(), f["packets"]!.GetValue<long>()))
                    .ToArray();
                var name = NodeNameOf(result, node.Node);
                report.Counts.Add(new ModuleCount(name, packets, flows));
                Note(notes, $"PROBE {module} on {name}: {node.Status}, the module saw {packets?.ToString(CultureInfo.InvariantCulture) ?? "?"} packets{string.Concat(flows.Select(f => $"; flow {f.Source} -> {f.Destination} ttl {f.Ttl}: {f.Packets}"))}");
            }
        }

        foreach (var (name, node) in _nodes)
        {
            var status = await node.StatusAsync(cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.status.json"), JsonSerializer.SerializeToNode(status, StatusJsonContext.Default.NodeStatus)!.ToJsonString(Indented), cancellationToken).ConfigureAwait(false);
        }

        await WriteLogsAsync(folder, cancellationToken).ConfigureAwait(false);
        Note(notes, $"results in {folder}");
    }

    private async Task ReleaseAsync(ExperimentResult result, List<string> notes, CancellationToken stopped)
    {
        var failures = new List<string>();
        if (options.RemoveModules && !stopped.IsCancellationRequested && _signaling is not null)
        {
            foreach (var (report, from, toward, module) in _installed)
            {
                try
                {
                    var stack = await _signaling.SendAsync(from, toward, NslpRequests.Remove(module), CancellationToken.None, RemoveTimeout).ConfigureAwait(false);
                    report.Removed = stack.Nodes.Count > 0 && stack.Nodes.All(n => n.Succeeded);
                    Note(notes, $"REMOVE {module} toward {toward}: {string.Join(", ", stack.Nodes.Select(n => $"{NodeNameOf(result, n.Node)} {n.Status}"))}");
                }
                catch (ExperimentException e)
                {
                    failures.Add(e.Message);
                }
            }

            foreach (var (name, node) in _nodes)
            {
                if (!await node.IsRunningAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    continue;
                }

                var rules = (await node.StatusAsync(CancellationToken.None).ConfigureAwait(false)).Forwarding.Rules;
                result.RulesAfterRemove[name] = rules.Count;
                Note(notes, $"{name}: {rules.Count} forwarding rules left after REMOVE");
            }
        }

        if (result.ResultsDirectory is { } folder)
        {
            // The logs again, now with the REMOVEs.
            await WriteLogsAsync(folder, CancellationToken.None).ConfigureAwait(false);
        }

        if (options.View is { } view)
        {
            await view.StopWatchingAsync().ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
        foreach (var server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var node in _nodes.Values)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        if (_bed is { } bed)
        {
            await bed.DisposeAsync().ConfigureAwait(false);
            result.Leftovers.AddRange(bed.Leftovers());
        }

        Note(notes, result.Leftovers.Count == 0
            ? options.Testbed switch
            {
                ExperimentTestbedKind.Docker => "nothing left: containers, links, namespaces and the run's key are gone",
                ExperimentTestbedKind.Aggregate => "nothing left: the aggregate deleted the slivers and knows the slice no more; the run's SSH key is gone",
                _ => "nothing left: namespaces, rules and processes are gone",
            }
            : $"left over: {string.Join(", ", result.Leftovers)}");
        failures.AddRange(result.Leftovers.Select(l => $"left over: {l}"));
        if (failures.Count > 0)
        {
            throw new ExperimentException(string.Join("; ", failures));
        }
    }

    private string ResultsFolder(ExperimentResult result)
    {
        var folder = options.ResultsDirectory
            ?? Path.Combine(BuildOutputs.RepositoryRoot, "artifacts", "experiments", $"{time.GetUtcNow():yyyyMMdd-HHmmss}-{result.TestbedId}");
        Directory.CreateDirectory(folder);
        result.ResultsDirectory = folder;
        return folder;
    }

    private async Task WriteLogsAsync(string folder, CancellationToken cancellationToken)
    {
        foreach (var (name, node) in _nodes)
        {
            try
            {
                await File.WriteAllLinesAsync(Path.Combine(folder, $"{name}.netservd.log"), await node.LogAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ExperimentException or IOException or HttpRequestException or Docker.DotNet.DockerApiException)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, $"{name}.netservd.log"), $"netservd's log could not be read: {e.Message}\n", cancellationToken).ConfigureAwait(false);
            }
        }

        if (_testbed is null)
        {
            return;
        }

        foreach (var node in _testbed.Nodes)
        {
            var index = 0;
            foreach (var service in node.ServiceResults)
            {
                index++;
                File.WriteAllText(
                    Path.Combine(folder, $"{node.ClientId}.execute-{index}.log"),
                    $"$ {service.Service.Command}\nexit: {(service.TimedOut ? "killed at the timeout" : service.ExitCode)}\n--- stdout\n{service.StandardOutput}\n--- stderr\n{service.StandardError}\n");
            }
        }
    }

    /// <summary>What release did not get to (a run that threw past it); release leaves nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_signaling is not null)
        {
            await _signaling.DisposeAsync().ConfigureAwait(false);
            _signaling = null;
        }
    }

    private static async Task WriteSummaryAsync(ExperimentResult result)
    {
        if (result.ResultsDirectory is { } folder && Directory.Exists(folder))
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "summary.json"), result.ToJson().ToJsonString(Indented), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The rspec's name of the node that answers signaling as <paramref name="netservName"/>.</summary>
    private static string NodeNameOf(ExperimentResult result, string netservName) =>
        result.Nodes.FirstOrDefault(n => n.NetServName == netservName)?.Name ?? netservName;

    private static string Describe(Exception e) => e switch
    {
        AggregateException aggregate => string.Join("; ", aggregate.Flatten().InnerExceptions.Select(Describe)),
        InvalidOperationException { InnerException: { } inner } when e.Message.StartsWith("inside namespace", StringComparison.Ordinal) => Describe(inner),
        _ => e.Message,
    };

    private static partial class Log
    {
        [LoggerMessage(3401, LogLevel.Debug, "Phase {Phase} failed")]
        public static partial void PhaseFailed(ILogger logger, string phase, Exception exception);
    }
}
