using NetServ.Signaling.Nslp;

namespace NetServ.Testbed.Nodes;

/// <summary>
/// netservd's admin API on one node: its admin socket reached from this machine (<see cref="NetServNodeProcess"/>), or
/// the node image's <c>netserv admin</c> run on the node over SSH (<see cref="SshNetServAdmin"/>).
/// </summary>
public interface INetServAdmin
{
    /// <summary>Installs a module through the admin API; the node's answer.</summary>
    Task<NslpResponse> SetupAsync(ModuleSetup setup, CancellationToken cancellationToken = default);
}
