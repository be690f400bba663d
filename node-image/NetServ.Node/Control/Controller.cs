using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Node.Containers;
using NetServ.Signaling.Nslp;
using ModuleRemovalReason = NetServ.Contracts.Status.ModuleRemovalReason;

namespace NetServ.Node.Control;

/// <summary>
/// The NetServ controller (paper section 4.2): acts on SETUP, REMOVE and PROBE. It checks a request,
/// takes the user's lock and hands the work to its parts: <see cref="InstallPolicy"/> decides what may
/// be installed, <see cref="ModuleInstaller"/> installs and removes, <see cref="ModuleTable"/> keeps the
/// modules as soft state (a module expires after its ttl unless a SETUP refreshes it),
/// <see cref="StatusReport"/> answers PROBEs and <see cref="ContainerRecovery"/> handles what the
/// containers report. It turns their outcomes into NSLP responses.
/// </summary>
internal sealed partial class Controller
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly NodeConfiguration _options;
    private readonly IContainerHost _containers;
    private readonly InstallPolicy _policy;
    private readonly ModuleInstaller _installer;
    private readonly ModuleTable _table;
    private readonly StatusReport _status;
    private readonly UserLocks _locks;
    private readonly ILogger<Controller> _logger;

    public Controller(
        IOptions<NodeConfiguration> options,
        IContainerHost containers,
        InstallPolicy policy,
        ModuleInstaller installer,
        ModuleTable table,
        StatusReport status,
        ContainerRecovery recovery,
        UserLocks locks,
        ILogger<Controller> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(table);
        _options = options.Value;
        _containers = containers;
        _policy = policy;
        _installer = installer;
        _table = table;
        _status = status;
        _locks = locks;
        _logger = logger;

        // Set before the containers start (the controller is made with the hosted services): no expiry or container event goes unhandled.
        table.Expired = ExpireAsync;
        containers.Events = recovery;
    }

    /// <summary>The node's name, as it appears in responses.</summary>
    public string NodeName => _options.NodeName;

    /// <summary>Acts on one NSLP request and says how it went.</summary>
    public async Task<NslpResponse> HandleAsync(NslpRequest request, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            switch (request.Method)
            {
                case NslpMethod.Setup:
                    return SetupRequest.TryFrom(request, out var setup, out var setupError)
                        ? await SetupAsync(setup, origin, cancellationToken).ConfigureAwait(false)
                        : Error(NslpStatus.BadRequest, setupError);
                case NslpMethod.Remove:
                    return RemoveRequest.TryFrom(request, out var remove, out var removeError)
                        ? await RemoveAsync(remove, cancellationToken).ConfigureAwait(false)
                        : Error(NslpStatus.BadRequest, removeError);
                case NslpMethod.Probe:
                    return ProbeRequest.TryFrom(request, out var probe, out var probeError)
                        ? await ProbeAsync(probe, string.Equals(request.Headers["collect"], "true", StringComparison.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false)
                        : Error(NslpStatus.BadRequest, probeError);
                default:
                    return Error(NslpStatus.BadRequest, $"{NslpRequest.MethodName(request.Method)} is handled by the signaling layer, not the controller");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Log.RequestFailed(_logger, NslpRequest.MethodName(request.Method), request.Target, e);
            return Error(NslpStatus.InternalError, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Installs a module (or refreshes one already installed) for a user.</summary>
    public async Task<NslpResponse> SetupAsync(SetupRequest setup, RequestOrigin origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (!_containers.TryGet(setup.User, out var container))
        {
            return Error(InstallPolicy.UnknownUser(setup.User));
        }

        var decision = await _policy.AuthoriseAsync(setup, cancellationToken).ConfigureAwait(false);
        if (decision.IsRefused(out var refusal, out var grant))
        {
            return Error(refusal);
        }

        var user = grant.User.Name;
        using (await _locks.EnterAsync(user, cancellationToken).ConfigureAwait(false))
        {
            if (_table.Find(user, setup.Module.ToString()) is { } existing)
            {
                if (existing.Digest != setup.DigestHex)
                {
                    return Error(NslpStatus.Conflict, $"{setup.Module} is installed from a package with another digest; REMOVE it first");
                }

                _table.Refresh(existing, grant.Ttl);
                Log.Refreshed(_logger, user, setup.Module.ToString(), grant.Ttl.TotalSeconds);
                return Ok(existing, refreshed: true);
            }

            var installed = await _installer.InstallAsync(new InstallCommand(setup, grant, container, origin), cancellationToken).ConfigureAwait(false);
            return installed.IsRefused(out var failure, out var record) ? Error(failure) : Ok(record, refreshed: false);
        }
    }

    /// <summary>Uninstalls a module at once.</summary>
    public async Task<NslpResponse> RemoveAsync(RemoveRequest remove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remove);
        if (!_locks.Has(remove.User))
        {
            return Error(InstallPolicy.UnknownUser(remove.User));
        }

        using (await _locks.EnterAsync(remove.User, cancellationToken).ConfigureAwait(false))
        {
            var record = _table.Find(remove.User, remove.Module.ToString());
            if (record is null)
            {
                return Error(NslpStatus.NotFound, $"{remove.Module} is not installed for user '{remove.User}'");
            }

            await _installer.UninstallAsync(record, ModuleRemovalReason.Removed, null, cancellationToken).ConfigureAwait(false);
            var response = new NslpResponse(NslpStatus.Ok);
            response.Headers.Add(NslpHeaderNames.Node, NodeName);
            response.Headers.Add("module", record.Name.ToString());
            return response;
        }
    }

    /// <summary>Answers a PROBE: status, capabilities, policies or one module.</summary>
    public async Task<NslpResponse> ProbeAsync(ProbeRequest probe, bool collectGarbage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var report = await _status.ProbeAsync(probe, collectGarbage, cancellationToken).ConfigureAwait(false);
        if (report.IsRefused(out var refusal, out var body))
        {
            return Error(refusal);
        }

        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.Node, NodeName);
        response.Headers.Add(NslpHeaderNames.ContentType, "application/json");
        response.Body = Encoding.UTF8.GetBytes(body.ToJsonString(Indented));
        return response;
    }

    private async Task ExpireAsync(ModuleRecord record)
    {
        using (await _locks.EnterAsync(record.User, CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                // A refresh may have moved the deadline while we waited for the lock.
                if (_table.CheckExpiry(record) != ExpiryCheck.Due)
                {
                    return;
                }

                await _installer.UninstallAsync(record, ModuleRemovalReason.TtlExpired, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.RequestFailed(_logger, "expiry", record.Name.ToString(), e);
            }
        }
    }

    private NslpResponse Ok(ModuleRecord record, bool refreshed)
    {
        var response = new NslpResponse(NslpStatus.Ok);
        response.Headers.Add(NslpHeaderNames.Node, NodeName);
        response.Headers.Add("module", record.Name.ToString());
        response.Headers.Add("expires", ((int)record.Ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        if (refreshed)
        {
            response.Headers.Add("refreshed", "true");
        }

        return response;
    }

    private NslpResponse Error(Refusal refusal) => Error(refusal.Status, refusal.Message);

    private NslpResponse Error(int status, string message)
    {
        var response = new NslpResponse(status);
        response.Headers.Add(NslpHeaderNames.Node, NodeName);
        response.Headers.Add(NslpHeaderNames.Error, message.ReplaceLineEndings(" "));
        Log.Refused(_logger, status, message);
        return response;
    }

    private static partial class Log
    {
        [LoggerMessage(2503, LogLevel.Information, "Refreshed {Module} of {User} (ttl {Ttl} s)")]
        public static partial void Refreshed(ILogger logger, string user, string module, double ttl);

        [LoggerMessage(2504, LogLevel.Warning, "Request refused with {Status}: {Reason}")]
        public static partial void Refused(ILogger logger, int status, string reason);

        [LoggerMessage(2505, LogLevel.Error, "{Method} {Target} failed")]
        public static partial void RequestFailed(ILogger logger, string method, string target, Exception exception);
    }
}
