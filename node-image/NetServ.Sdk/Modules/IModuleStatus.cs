using System.Text.Json.Nodes;

namespace NetServ.Sdk;

/// <summary>
/// Implemented by modules that report their state. The node includes the object in PROBE
/// responses and in <c>netserv admin status</c>.
/// </summary>
public interface IModuleStatus
{
    /// <summary>Returns a snapshot of the module's state. Called from a thread other than the packet path.</summary>
    JsonObject GetStatus();
}
