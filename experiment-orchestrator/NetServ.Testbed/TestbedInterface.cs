using NetServ.Networking;

namespace NetServ.Testbed;

/// <summary>An interface of a realised node.</summary>
/// <param name="ClientId">The interface's client id in the request.</param>
/// <param name="Device">Its device name on the node (on the local testbed <c>eth0</c>, <c>eth1</c>, ... in the request's order).</param>
/// <param name="Address">Its address.</param>
/// <param name="PrefixLength">Its prefix length.</param>
public sealed record TestbedInterface(string ClientId, string Device, Ipv4Address Address, int PrefixLength)
{
    /// <summary>The subnet the interface is on.</summary>
    public Ipv4Prefix Subnet => new(Address, PrefixLength);
}
