namespace NetServ.Traffic;

/// <summary>
/// The frames one generator run sends in turn: packet <c>i</c> of the run is frame <c>i mod Count</c>,
/// whether the kernel takes it or refuses it, so a run of <c>n</c> packets offers every frame
/// <c>n / Count</c> times, the first <c>n mod Count</c> frames once more. Every frame goes to the
/// same next hop (one link-layer address per socket send).
/// </summary>
public sealed class UdpFrameSet
{
    private readonly UdpFrame[] _frames;

    private UdpFrameSet(UdpFrame[] frames) => _frames = frames;

    /// <summary>The frames in the order they are sent.</summary>
    public IReadOnlyList<UdpFrame> Frames => _frames;

    public int Count => _frames.Length;

    /// <summary>The frame that packet <paramref name="packet"/> (from 0) of a run carries.</summary>
    public UdpFrame this[long packet] => _frames[(int)(packet % _frames.Length)];

    /// <summary>A set of the given frames, sent in this order.</summary>
    public static UdpFrameSet Of(params IReadOnlyList<UdpFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("a frame set needs at least one frame", nameof(frames));
        }

        var nextHop = frames[0].Bytes.AsSpan(0, 6);
        for (var i = 0; i < frames.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(frames[i], nameof(frames));
            if (!frames[i].Bytes.AsSpan(0, 6).SequenceEqual(nextHop))
            {
                throw new ArgumentException($"frame {i} goes to another next hop than frame 0: one run sends to one link-layer address", nameof(frames));
            }
        }

        return new UdpFrameSet([.. frames]);
    }

    /// <summary>How many of <paramref name="packets"/> offered in one run carry frame <paramref name="frame"/>.</summary>
    public long PacketsOf(int frame, long packets)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, Count);
        ArgumentOutOfRangeException.ThrowIfNegative(packets);
        return (packets / Count) + (frame < packets % Count ? 1 : 0);
    }
}
