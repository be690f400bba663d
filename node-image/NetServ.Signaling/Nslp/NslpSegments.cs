using System.Globalization;
using NetServ.Signaling.Gist;

namespace NetServ.Signaling.Nslp;

/// <summary>
/// Splits a response too long for one GIST message into segments, each a response of its own. GIST carries an
/// NSLP message in one NSLP-Data object, whose 12-bit Length field counts 32-bit words (RFC 5971 A.2), so no
/// message over 16380 bytes crosses GIST in any mode: a messaging association (C-mode, 5.3) lifts the datagram
/// limit, not this one, and GIST leaves what to do with a longer message to the NSLP (B.1, B.3). A PROBE
/// answer carries the status of every node on the path and outgrows it.
/// </summary>
public static class NslpSegments
{
    /// <summary>The longest message GIST carries: the NSLP-Data object's content, less the padding to whole words.</summary>
    public const int MaxMessageLength = GistConstants.MaxObjectContentLength;

    /// <summary>Room for a segment's start line and headers.</summary>
    private const int SegmentOverhead = 1024;

    /// <summary>The body bytes of the whole message one segment carries.</summary>
    public const int SegmentBodyLength = MaxMessageLength - SegmentOverhead;

    /// <summary>The most segments a message may have: enough for the longest message the codec reads.</summary>
    public const int MaxSegments = (NslpCodec.MaxMessageLength / SegmentBodyLength) + 1;

    /// <summary>
    /// <paramref name="response"/> encoded as the messages to send: itself when it fits one GIST message, else its
    /// encoding cut into segments, each a response with its status and a <c>segment: i/n</c> header.
    /// </summary>
    public static IReadOnlyList<byte[]> Encode(NslpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var whole = NslpCodec.Encode(response);
        if (whole.Length <= MaxMessageLength)
        {
            return [whole];
        }

        var count = (whole.Length + SegmentBodyLength - 1) / SegmentBodyLength;
        var segments = new byte[count][];
        for (var index = 0; index < count; index++)
        {
            var start = index * SegmentBodyLength;
            var segment = new NslpResponse(response.StatusCode);
            segment.Headers.Add(NslpHeaderNames.Segment, string.Create(CultureInfo.InvariantCulture, $"{index + 1}/{count}"));
            segment.Body = whole.AsMemory(start, Math.Min(SegmentBodyLength, whole.Length - start));
            segments[index] = NslpCodec.Encode(segment);
        }

        return segments;
    }

    /// <summary>Reads a <c>segment: i/n</c> header: the segment's number from 1 and how many there are.</summary>
    internal static bool TryReadSegment(string value, out int index, out int count)
    {
        index = 0;
        count = 0;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && int.TryParse(value.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out index)
            && int.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && index >= 1 && index <= count && count <= MaxSegments;
    }
}

/// <summary>
/// Puts the segments of one answer back together (see <see cref="NslpSegments"/>), in whatever order and how
/// often they come: a repeated request is answered again with the same segments. One per awaited answer;
/// deliveries come on the thread pool, so it locks.
/// </summary>
public sealed class NslpSegmentAssembler
{
    private readonly Lock _lock = new();
    private byte[]?[] _parts = [];
    private int _missing;

    /// <summary>
    /// Takes a response that arrived: the whole answer when <paramref name="response"/> is one or completes one, or
    /// null while segments are missing. A malformed segment header or reassembled message gives null and an error.
    /// </summary>
    public NslpResponse? Accept(NslpResponse response, out string? error)
    {
        ArgumentNullException.ThrowIfNull(response);
        error = null;
        if (response.Headers[NslpHeaderNames.Segment] is not { } header)
        {
            return response;
        }

        if (!NslpSegments.TryReadSegment(header, out var index, out var count))
        {
            error = $"malformed segment header '{header}'";
            return null;
        }

        byte[] whole;
        lock (_lock)
        {
            if (_parts.Length != count)
            {
                // Another answer than the one begun (the segments of an answer all say how many they are).
                _parts = new byte[]?[count];
                _missing = count;
            }

            if (_parts[index - 1] is null)
            {
                _parts[index - 1] = response.Body.ToArray();
                _missing--;
            }

            if (_missing > 0)
            {
                return null;
            }

            whole = _parts.SelectMany(part => part!).ToArray();
        }

        if (!NslpCodec.TryParseWhole(whole, out var message, out var parseError) || message is not NslpResponse answer)
        {
            error = $"its {count} segments do not make a response: {parseError ?? "they make a request"}";
            return null;
        }

        return answer;
    }
}
