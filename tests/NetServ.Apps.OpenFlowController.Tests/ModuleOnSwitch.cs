using System.Net;
using NetServ.Sdk.Testing;
using NetServ.Testbed.OpenFlow;

namespace NetServ.Apps.OpenFlowController.Tests;

/// <summary>Starts the controller module as a container would, inside a real switch's namespace, and points the switch at it.</summary>
internal static class ModuleOnSwitch
{
    /// <summary>Starts <paramref name="module"/> with <paramref name="context"/> in <paramref name="ovs"/>'s namespace (its listening socket stays there) and sets it as the bridge's controller; returns where it listens.</summary>
    public static IPEndPoint Start(OvsSwitch ovs, OpenFlowControllerModule module, TestModuleContext context, CancellationToken cancellationToken)
    {
        ovs.Namespace.Run(() =>
        {
            module.StartAsync(context, cancellationToken).GetAwaiter().GetResult();
            return true;
        });
        var listening = IPEndPoint.Parse(module.GetStatus()["listening"]!.GetValue<string>());
        ovs.SetController(listening.Port);
        return listening;
    }
}
