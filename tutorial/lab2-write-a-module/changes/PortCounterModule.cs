using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NetServ.Sdk;
using PortCounter;

// The node loads the module named here from the package's assembly.
[assembly: NetServModule(typeof(PortCounterModule))]

namespace PortCounter;

/// <summary>
/// A packet module: the node steers the packets its SETUP filter selects (<c>filter-proto</c>,
/// <c>filter-port</c>, <c>filter-dst</c>) through <see cref="Process"/>. This one counts them by
/// destination port, and their bytes (lab 2's change), and accepts them unchanged; its counts are in its status
/// (<c>netserv admin status</c>, PROBE responses).
/// </summary>
public sealed partial class PortCounterModule : NetServModule, IPacketProcessor, IModuleStatus
{
    private readonly Dictionary<int, long> _packetsByPort = [];
    private readonly Lock _lock = new();
    private long _total;
    private long _bytes;

    /// <inheritdoc />
    public PacketVerdict Process(ref Packet packet)
    {
        // A packet is a view over the node's receive buffer: read it, change it (then MarkModified), never keep it.
        var port = packet.IsUdp || packet.IsTcp ? packet.DestinationPort : 0;
        lock (_lock)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_packetsByPort, port, out _)++;
            _total++;
            _bytes += packet.Length;
        }

        return PacketVerdict.Accept;
    }

    /// <inheritdoc />
    public JsonObject GetStatus()
    {
        var ports = new JsonObject();
        long total;
        long bytes;
        lock (_lock)
        {
            total = _total;
            bytes = _bytes;
            foreach (var (port, packets) in _packetsByPort.OrderBy(p => p.Key))
            {
                ports[port.ToString(CultureInfo.InvariantCulture)] = packets;
            }
        }

        return new JsonObject { ["totalPackets"] = total, ["totalBytes"] = bytes, ["packetsByPort"] = ports };
    }

    /// <inheritdoc />
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        Log.Started(Context.Logger, Context.ModuleName, Context.User);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Module} started for {User}")]
        public static partial void Started(ILogger logger, string module, string user);
    }
}
