namespace NetServ.Sdk.Testing;

/// <summary>What became of one packet given to a <see cref="PacketModuleHarness"/>.</summary>
/// <param name="Selected">Whether the module's filter selected the packet (a packet it does not select never reaches it).</param>
/// <param name="Verdict">The module's verdict (<see cref="PacketVerdict.Accept"/> for a packet it did not see).</param>
/// <param name="Modified">Whether the module changed the packet.</param>
/// <param name="Bytes">The packet as it leaves the node: with the module's changes and checksums fixed; empty when dropped.</param>
public sealed record ProcessedPacket(bool Selected, PacketVerdict Verdict, bool Modified, byte[] Bytes);

/// <summary>
/// Runs a packet-processing module the way a NetServ container does, in memory: a packet its filter selects
/// is handed to it with room to grow, and a changed packet leaves with its checksums fixed.
/// </summary>
/// <example>
/// <code>
/// var harness = new PacketModuleHarness(module, context.Filter);
/// var result = harness.Process(TestPackets.Udp(from, to, 40000, 5060, "hello"));
/// Assert.That(result.Verdict, Is.EqualTo(PacketVerdict.Accept));
/// </code>
/// </example>
public sealed class PacketModuleHarness(IPacketProcessor module, PacketFilter? filter)
{
    private readonly byte[] _buffer = new byte[ushort.MaxValue + 1];

    /// <summary>How many packets the module was given.</summary>
    public long Selected { get; private set; }

    /// <summary>Gives <paramref name="ipv4Packet"/> to the module when its filter selects it.</summary>
    public ProcessedPacket Process(ReadOnlySpan<byte> ipv4Packet)
    {
        ipv4Packet.CopyTo(_buffer);
        var packet = new Packet(_buffer, ipv4Packet.Length);
        if (filter is not null && !filter.Matches(packet))
        {
            return new ProcessedPacket(false, PacketVerdict.Accept, false, ipv4Packet.ToArray());
        }

        Selected++;
        var verdict = module.Process(ref packet);
        if (verdict == PacketVerdict.Drop)
        {
            return new ProcessedPacket(true, verdict, packet.IsModified, []);
        }

        if (packet.IsModified)
        {
            packet.UpdateChecksums();
        }

        return new ProcessedPacket(true, verdict, packet.IsModified, packet.Data.ToArray());
    }
}
