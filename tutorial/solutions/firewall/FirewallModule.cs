using System.Globalization;
using NetServ.Sdk;
using Solutions.Firewall;

[assembly: NetServModule(typeof(FirewallModule))]

namespace Solutions.Firewall;

/// <summary>The firewall exercise's reference solution: drops UDP and TCP to the ports of <c>block=PORT;PORT</c>.</summary>
public sealed class FirewallModule : NetServModule, IPacketProcessor
{
    // One flag per port: the packet path looks up without allocating or hashing.
    private readonly bool[] _blocked = new bool[65536];

    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        foreach (var text in Context.Properties.GetString("block", string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            _blocked[port is >= 1 and <= 65535 ? port : throw new FormatException($"block: {text} is no port")] = true;
        }

        return Task.CompletedTask;
    }

    public PacketVerdict Process(ref Packet packet) =>
        (packet.IsUdp || packet.IsTcp) && _blocked[packet.DestinationPort] ? PacketVerdict.Drop : PacketVerdict.Accept;
}
