using System.Text;
using NetServ.Networking;
using static NetServ.Sip.SipSyntax;

namespace NetServ.Sip;

/// <summary>
/// The topmost via-parm of a request's Via header (RFC 3261 section 20.42, RFC 3581 section 5):
/// what a server needs to answer it — the sent-by host and port, <c>maddr</c> and <c>rport</c>.
/// The parts are spans over the header value, read across folded lines.
/// </summary>
public readonly ref struct SipVia
{
    private SipVia(ReadOnlySpan<byte> value, int length, ReadOnlySpan<byte> transport, ReadOnlySpan<byte> host, int port, int parameters, bool hasRport, ReadOnlySpan<byte> maddr)
    {
        Value = value;
        Length = length;
        Transport = transport;
        Host = host;
        Port = port;
        ParametersOffset = parameters;
        HasRport = hasRport;
        Maddr = maddr;
    }

    /// <summary>The port a response goes to when sent-by names none: UDP's (RFC 3261 section 18.2.2).</summary>
    public const int DefaultPort = 5060;

    /// <summary>The whole Via header value the via-parm was read from.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>How long the topmost via-parm is within <see cref="Value"/> (up to a comma that starts the next one, if any).</summary>
    public int Length { get; }

    /// <summary>The transport of sent-protocol: <c>UDP</c> in <c>SIP/2.0/UDP</c>.</summary>
    public ReadOnlySpan<byte> Transport { get; }

    /// <summary>The host of sent-by: a name, an IPv4 address, or an IPv6 reference in brackets.</summary>
    public ReadOnlySpan<byte> Host { get; }

    /// <summary>The port of sent-by, or -1 when it names none.</summary>
    public int Port { get; }

    /// <summary>Whether the via-parm carries <c>rport</c>: the client asks for the response at the source port (RFC 3581).</summary>
    public bool HasRport { get; }

    /// <summary>The value of <c>maddr</c>, empty when there is none.</summary>
    public ReadOnlySpan<byte> Maddr { get; }

    /// <summary>Where the via-params start in <see cref="Value"/> (at their first semicolon), or <see cref="Length"/> when there are none.</summary>
    internal int ParametersOffset { get; }

    /// <summary>The via-params, for <see cref="SipViaParameters"/>.</summary>
    internal ReadOnlySpan<byte> Parameters => Value[ParametersOffset..Length];

    /// <summary>Reads the first via-parm of a Via header value; <see langword="false"/> when it is not <c>sent-protocol LWS sent-by *(SEMI via-params)</c>.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SipVia via)
    {
        via = default;
        var length = Delimited(value, (byte)',');
        var parm = value[..length];
        var parameters = Delimited(parm, (byte)';');

        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, SLASH = SWS "/" SWS.
        var head = parm[..parameters];
        var slash = head.IndexOf((byte)'/');
        var second = slash < 0 ? -1 : head[(slash + 1)..].IndexOf((byte)'/');
        if (slash <= 0 || second < 0)
        {
            return false;
        }

        var rest = head[(slash + second + 2)..].TrimStart(Lws);
        var transportLength = rest.IndexOfAnyExcept(Token);
        if (transportLength <= 0)
        {
            return false;
        }

        var transport = rest[..transportLength];
        if (!TryParseSentBy(rest[transportLength..].Trim(Lws), out var host, out var port))
        {
            return false;
        }

        var hasRport = false;
        ReadOnlySpan<byte> maddr = [];
        var reader = new SipViaParameters(parm[parameters..]);
        while (reader.TryRead(out var name, out var parameterValue))
        {
            if (Ascii.EqualsIgnoreCase(name, "rport"u8))
            {
                hasRport = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "maddr"u8))
            {
                maddr = parameterValue;
            }
        }

        if (reader.Malformed)
        {
            return false;
        }

        via = new SipVia(value, length, transport, host, port, parameters, hasRport, maddr);
        return true;
    }

    /// <summary>
    /// Where the response to a request that came from <paramref name="source"/> with this Via goes,
    /// over UDP (RFC 3261 section 18.2.2, RFC 3581 section 4): with <c>maddr</c>, to that address at
    /// sent-by's port (5060 when it names none); otherwise with <c>rport</c>, back to the source address
    /// and port, the NAT-friendly answer that only a client asking for it with <c>rport</c> gets;
    /// otherwise to the source address (what <c>received</c> says) at sent-by's port. <see langword="false"/>
    /// when <c>maddr</c> names a host rather than an IPv4 address: finding it would take a name lookup.
    /// </summary>
    public bool TryGetResponseDestination(SipEndpoint source, out SipEndpoint destination)
    {
        destination = default;
        var port = Port < 0 ? DefaultPort : Port;
        if (!Maddr.IsEmpty)
        {
            if (!TryParseIpv4(Maddr, out var group))
            {
                return false;
            }

            destination = new SipEndpoint(group, (ushort)port);
        }
        else
        {
            destination = HasRport ? source : new SipEndpoint(source.Address, (ushort)port);
        }

        return destination.Port != 0;
    }

    /// <summary>Reads an IPv4 address written as a dotted quad (a sent-by host, a <c>maddr</c>); names and IPv6 references are not.</summary>
    public static bool TryParseIpv4(ReadOnlySpan<byte> text, out Ipv4Address address)
    {
        address = default;
        Span<char> chars = stackalloc char[15];
        return text.Length <= chars.Length && Ascii.ToUtf16(text, chars, out var written) == System.Buffers.OperationStatus.Done
            && Ipv4Address.TryParse(chars[..written], out address);
    }

    /// <summary>sent-by = host [ COLON port ], COLON = SWS ":" SWS.</summary>
    private static bool TryParseSentBy(ReadOnlySpan<byte> sentBy, out ReadOnlySpan<byte> host, out int port)
    {
        port = -1;
        int hostLength;
        if (sentBy.StartsWith("["u8))
        {
            hostLength = sentBy.IndexOf((byte)']') + 1;
        }
        else
        {
            hostLength = sentBy.IndexOfAny(": \t\r\n"u8);
            hostLength = hostLength < 0 ? sentBy.Length : hostLength;
        }

        host = hostLength <= 0 ? [] : sentBy[..hostLength];
        if (host.IsEmpty || (host[0] != (byte)'[' && host.ContainsAnyExcept(Token)))
        {
            return false;
        }

        var rest = sentBy[hostLength..].TrimStart(Lws);
        if (rest.IsEmpty)
        {
            return true;
        }

        rest = rest[0] == (byte)':' ? rest[1..].TrimStart(Lws) : [];
        if (rest.IsEmpty || rest.Length > 5 || rest.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
        {
            return false;
        }

        var number = 0;
        foreach (var digit in rest)
        {
            number = (number * 10) + (digit - '0');
        }

        port = number;
        return number <= ushort.MaxValue;
    }

    /// <summary>Where <paramref name="separator"/> first stands outside a quoted string (a generic-param's value may be one), or the length.</summary>
    internal static int Delimited(ReadOnlySpan<byte> text, byte separator)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (b == (byte)'\\' && quoted)
            {
                i++;
            }
            else if (b == separator && !quoted)
            {
                return i;
            }
        }

        return text.Length;
    }
}

/// <summary>Reads <c>*(SEMI via-params)</c> one parameter at a time: its name, and its value (empty when it has none).</summary>
internal ref struct SipViaParameters(ReadOnlySpan<byte> parameters)
{
    private ReadOnlySpan<byte> _rest = parameters;

    /// <summary>Whether something that is not a parameter was found.</summary>
    public bool Malformed { get; private set; }

    public bool TryRead(out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = [];
        var rest = _rest.TrimStart(Lws);
        if (rest.IsEmpty || Malformed)
        {
            return false;
        }

        if (rest[0] != (byte)';')
        {
            Malformed = true;
            return false;
        }

        rest = rest[1..];
        var end = SipVia.Delimited(rest, (byte)';');
        var parameter = rest[..end].Trim(Lws);
        _rest = rest[end..];
        var equals = parameter.IndexOf((byte)'=');
        name = (equals < 0 ? parameter : parameter[..equals]).TrimEnd(Lws);
        value = equals < 0 ? [] : parameter[(equals + 1)..].TrimStart(Lws);
        if (!IsToken(name))
        {
            Malformed = true;
            return false;
        }

        return true;
    }
}
