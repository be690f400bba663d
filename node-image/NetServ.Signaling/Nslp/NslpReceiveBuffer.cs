namespace NetServ.Signaling.Nslp;

/// <summary>
/// The bytes a stream connection has received and not yet framed as NSLP messages. The socket reads
/// into the free space at the end and messages are parsed in place from an offset, so a request that
/// arrives behind another in the same read is not copied out first; what is left of a message moves to
/// the front only when the end of the buffer is reached, and the buffer grows only for a message longer
/// than it (up to the codec's limit, past which the codec calls the bytes invalid).
/// </summary>
public sealed class NslpReceiveBuffer
{
    private byte[] _bytes;
    private int _start;
    private int _end;

    public NslpReceiveBuffer(int initialSize = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSize, 1);
        _bytes = new byte[initialSize];
    }

    /// <summary>The bytes received and not yet taken as messages.</summary>
    public ReadOnlySpan<byte> Pending => _bytes.AsSpan(_start, _end - _start);

    /// <summary>Where the next read goes; never empty. Call <see cref="Advance"/> with what the read filled.</summary>
    public Memory<byte> GetFreeSpace()
    {
        if (_start == _end)
        {
            (_start, _end) = (0, 0);
        }
        else if (_end == _bytes.Length)
        {
            if (_start > 0)
            {
                Pending.CopyTo(_bytes);
                (_start, _end) = (0, _end - _start);
            }
            else
            {
                Array.Resize(ref _bytes, _bytes.Length * 2);
            }
        }

        return _bytes.AsMemory(_end);
    }

    /// <summary>Counts <paramref name="count"/> bytes written into the free space as received.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _bytes.Length - _end);
        _end += count;
    }

    /// <summary>
    /// Takes the next whole message off the front. <see cref="NslpParseStatus.Incomplete"/> leaves the bytes for
    /// the next read; <see cref="NslpParseStatus.Invalid"/> leaves them too, since nothing after them can be framed.
    /// </summary>
    public NslpParseStatus TryTake(out NslpMessage? message, out string? error)
    {
        var status = NslpCodec.TryParse(Pending, out var consumed, out message, out error);
        if (status == NslpParseStatus.Complete)
        {
            _start += consumed;
        }

        return status;
    }
}
