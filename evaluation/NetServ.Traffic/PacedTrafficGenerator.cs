using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>
/// The project's own generator behind <see cref="ITrafficGenerator"/>: a <see cref="PacedPacketGenerator"/>
/// (raw packet socket, busy-wait pacing, a very large send buffer, refused sends counted as lost) in the
/// sender's namespace, one socket per interface, opened on first use. It runs in this process, so it
/// serves nodes that are namespaces on this machine.
/// </summary>
public sealed class PacedTrafficGenerator : ITrafficGenerator
{
    /// <summary>The name of this driver in results.</summary>
    public const string DriverName = "paced";

    private readonly NetworkNamespace _sender;
    private readonly GeneratorRequest _template;
    private readonly Dictionary<string, PacedPacketGenerator> _generators = new(StringComparer.Ordinal);
    private readonly Dictionary<TrafficSpec, UdpFrame> _frames = [];
    private bool _disposed;

    /// <summary>
    /// A generator sending from <paramref name="sender"/>. <paramref name="template"/> carries the settings
    /// the spec does not (CPU, pacing mode, batch, nice); its rate, count and deadline are replaced by each spec's.
    /// </summary>
    public PacedTrafficGenerator(NetworkNamespace sender, GeneratorRequest? template = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        _sender = sender;
        _template = template ?? new GeneratorRequest(0, 0, TimeSpan.FromSeconds(1));
    }

    /// <inheritdoc />
    public string Driver => DriverName;

    /// <inheritdoc />
    public TrafficResult Run(TrafficSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(_disposed, this);
        spec.Validate();
        if (!_generators.TryGetValue(spec.Device, out var generator))
        {
            generator = PacedPacketGenerator.Open(_sender, spec.Device);
            _generators[spec.Device] = generator;
        }

        // Frames depend on the spec but not on its rate, count or deadline: one per shape, built once.
        var shape = spec with { PacketsPerSecond = 0, Packets = 0, MaxDuration = TimeSpan.Zero };
        if (!_frames.TryGetValue(shape, out var frame))
        {
            frame = UdpFrame.Create(spec.WireBytes, spec.SourceMac, spec.NextHopMac, spec.Source, spec.Destination, spec.SourcePort, spec.DestinationPort, spec.Payload);
            _frames[shape] = frame;
        }

        return TrafficResult.FromPaced(generator.Run(frame, _template with { PacketsPerSecond = spec.PacketsPerSecond, Packets = spec.Packets, MaxDuration = spec.MaxDuration }, cancellationToken));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var generator in _generators.Values)
        {
            generator.Dispose();
        }

        _generators.Clear();
    }
}
