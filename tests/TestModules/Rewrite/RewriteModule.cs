using System.Text;
using NetServ.Sdk;
using NetServ.TestModules.Rewrite;

[assembly: NetServModule(typeof(RewriteModule))]

namespace NetServ.TestModules.Rewrite;

/// <summary>Prefixes each UDP payload with the marker property (default "rewritten:"), in place.</summary>
public sealed class RewriteModule : NetServModule, IPacketProcessor
{
    private byte[] _marker = Encoding.ASCII.GetBytes("rewritten:");

    public PacketVerdict Process(ref Packet packet)
    {
        if (!packet.IsUdp)
        {
            return PacketVerdict.Accept;
        }

        var length = packet.Payload.Length;
        if (!packet.TrySetPayloadLength(length + _marker.Length))
        {
            return PacketVerdict.Accept;
        }

        var payload = packet.Payload;
        payload[..length].CopyTo(payload[_marker.Length..]);
        _marker.CopyTo(payload);
        packet.MarkModified();
        return PacketVerdict.Accept;
    }

    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        _marker = Encoding.ASCII.GetBytes(Context.Properties.GetString("marker", "rewritten:"));
        return Task.CompletedTask;
    }
}
