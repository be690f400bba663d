using static NetServ.Sip.SipSyntax;

namespace NetServ.Sip;

/// <summary>One header field: its name as written and its value with the surrounding white space trimmed.</summary>
public readonly ref struct SipHeader
{
    /// <summary>Creates a header from its parts.</summary>
    public SipHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, SipHeaderName known)
    {
        Name = name;
        Value = value;
        Known = known;
    }

    /// <summary>The field name as it stands in the message (full or compact form, any case).</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>
    /// The field value without leading and trailing white space. A folded value (RFC 3261 section
    /// 7.3.1) keeps its line breaks; <see cref="SipValue"/> reads across them.
    /// </summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>Which known header this is, or <see cref="SipHeaderName.Other"/>.</summary>
    public SipHeaderName Known { get; }
}

/// <summary>What a <see cref="SipHeaderReader"/> has found so far.</summary>
public enum SipHeaderReaderState : byte
{
    /// <summary>More header fields may follow.</summary>
    Reading,

    /// <summary>The blank line after the headers was read; <see cref="SipHeaderReader.BodyOffset"/> is valid.</summary>
    End,

    /// <summary>A line that is not a header field, or the headers never end.</summary>
    Malformed,
}

/// <summary>
/// Reads the header fields of a SIP message one at a time, without allocating: names are tokens
/// followed by optional white space and a colon; a line that starts with white space continues the
/// previous value (folding); a blank line ends the headers. A datagram carries one whole message,
/// so headers that do not end are malformed rather than incomplete.
/// </summary>
public ref struct SipHeaderReader
{
    private readonly ReadOnlySpan<byte> _message;
    private int _position;

    /// <summary>Reads the headers of <paramref name="message"/> starting at <paramref name="start"/> (where the start line ended).</summary>
    public SipHeaderReader(ReadOnlySpan<byte> message, int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, message.Length);
        _message = message;
        _position = start;
        State = SipHeaderReaderState.Reading;
    }

    /// <summary>Where reading stands.</summary>
    public SipHeaderReaderState State { get; private set; }

    /// <summary>Where the body starts, once <see cref="State"/> is <see cref="SipHeaderReaderState.End"/>; otherwise -1.</summary>
    public readonly int BodyOffset => State == SipHeaderReaderState.End ? _position : -1;

    /// <summary>Reads the next header field; <see langword="false"/> at the end of the headers or when they are malformed (see <see cref="State"/>).</summary>
    public bool TryRead(out SipHeader header)
    {
        header = default;
        if (State != SipHeaderReaderState.Reading)
        {
            return false;
        }

        var end = LineEnd(_message, _position, out var terminator);
        if (end < 0)
        {
            return Fail();
        }

        if (end == _position)
        {
            _position += terminator;
            State = SipHeaderReaderState.End;
            return false;
        }

        var line = _message[_position..end];
        var nameLength = line.IndexOfAnyExcept(Token);
        if (nameLength <= 0)
        {
            // Starts with white space (a continuation with nothing to continue) or with no name at all.
            return Fail();
        }

        var colon = nameLength;
        while (colon < line.Length && IsWhiteSpace(line[colon]))
        {
            colon++;
        }

        if (colon == line.Length || line[colon] != (byte)':')
        {
            return Fail();
        }

        var valueStart = _position + colon + 1;
        var valueEnd = end;
        _position = end + terminator;

        // Folding: every following line that starts with white space belongs to this value.
        while (_position < _message.Length && IsWhiteSpace(_message[_position]))
        {
            var next = LineEnd(_message, _position, out terminator);
            if (next < 0)
            {
                return Fail();
            }

            valueEnd = next;
            _position = next + terminator;
        }

        var name = line[..nameLength];
        header = new SipHeader(name, _message[valueStart..valueEnd].Trim(Lws), SipHeaderNames.Identify(name));
        return true;
    }

    private bool Fail()
    {
        State = SipHeaderReaderState.Malformed;
        return false;
    }
}
