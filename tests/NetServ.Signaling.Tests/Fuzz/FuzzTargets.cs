using NetServ.Signaling.Gist;
using NetServ.Signaling.Nslp;

namespace NetServ.Signaling.Tests.Fuzz;

/// <summary>A fuzz target: takes any bytes and returns, or throws when it finds a bug.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>A fuzz target found inputs that break an invariant of the code under test.</summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public FuzzFindingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The GIST decoder as a fuzz target: whole messages with and without the magic number, lone objects, and raw
/// IPv4 packets. Whatever decodes must encode and decode back to the same value.
/// </summary>
public static class GistDecoderFuzzTarget
{
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        foreach (var withMagic in (ReadOnlySpan<bool>)[true, false])
        {
            if (GistCodec.TryDecode(input, withMagic, out var message, out var error))
            {
                var again = GistCodec.Encode(message, withMagic);
                if (!GistCodec.TryDecode(again, withMagic, out var second, out error) || second != message)
                {
                    throw new FuzzFindingException($"decoded {message}, which does not decode again from its own encoding: {error}");
                }
            }
            else if (!error.IsError || error.Reason.Length == 0)
            {
                throw new FuzzFindingException("decoding failed without an error");
            }
        }

        if (GistObjectCodec.TryDecode(input, out var gistObject, out var consumed, out _)
            && (consumed > input.Length
                || !GistObjectCodec.TryDecode(GistObjectCodec.Encode(gistObject), out var sameObject, out _, out _)
                || sameObject != gistObject))
        {
            throw new FuzzFindingException($"object {gistObject} does not survive re-encoding");
        }

        if (Ipv4RouterAlert.TryReadUdpPacket(input, out var info, out _)
            && (info.PayloadOffset + info.PayloadLength > input.Length || info.PayloadOffset < 28))
        {
            throw new FuzzFindingException($"packet info {info} points outside the packet");
        }
    }
}

/// <summary>
/// The NetServ NSLP codec (<see cref="NslpCodec.TryParse"/>) as a fuzz target: the status agrees with the
/// outputs, and whatever parses encodes to something that parses again.
/// </summary>
public static class NslpCodecFuzzTarget
{
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var status = NslpCodec.TryParse(input, out var consumed, out var message, out var error);
        var consistent = status switch
        {
            NslpParseStatus.Complete => message is not null && consumed > 0 && consumed <= input.Length,
            NslpParseStatus.Incomplete => message is null && consumed == 0,
            _ => message is null && !string.IsNullOrEmpty(error),
        };
        if (!consistent)
        {
            throw new FuzzFindingException($"{status} with consumed={consumed}, message={message}, error={error}");
        }

        if (status == NslpParseStatus.Complete && !NslpCodec.TryParseWhole(NslpCodec.Encode(message!), out _, out var again))
        {
            throw new FuzzFindingException($"a parsed message does not parse again from its own encoding: {again}");
        }
    }
}
