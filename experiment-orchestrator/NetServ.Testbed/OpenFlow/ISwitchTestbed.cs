using NetServ.Testbed.Linux;

namespace NetServ.Testbed.OpenFlow;

/// <summary>
/// A testbed whose nodes are network namespaces this machine enters (the local testbed's own, the Docker testbed's containers')
/// and whose switch nodes (<see cref="OpenFlowSwitchNode"/>) it realises as an <see cref="OvsSwitch"/> run from this machine in
/// the switch node's namespace. What <see cref="SwitchNetServNodes"/> and <see cref="SwitchControllerDeployment"/> work over.
/// </summary>
public interface ISwitchTestbed : ITestbed
{
    /// <summary>The switch nodes by client id: an Open vSwitch each, whose ports are the veth ends of the node's links.</summary>
    IReadOnlyDictionary<string, OvsSwitch> Switches { get; }

    /// <summary>The network namespace of the node called <paramref name="clientId"/>.</summary>
    /// <exception cref="KeyNotFoundException">The testbed has no such node.</exception>
    NetworkNamespace NamespaceOf(string clientId);
}
