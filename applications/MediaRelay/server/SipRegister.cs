using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using NetServ.Sip;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>Reads the address of record of a REGISTER and writes its 200 OK; spans in, spans out, no I/O.</summary>
internal static class SipRegister
{
    /// <summary>The address of record (the To URI, without display name, brackets or parameters) of a REGISTER; <see langword="false"/> for anything else.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out string? addressOfRecord)
    {
        addressOfRecord = null;
        if (!SipParser.TryParseRequestLine(datagram, out var line, out var start) || !line.Method.SequenceEqual("REGISTER"u8))
        {
            return false;
        }

        var reader = new SipHeaderReader(datagram, start);
        while (reader.TryRead(out var header))
        {
            if (header.Known == SipHeaderName.To)
            {
                addressOfRecord = SipUri.AddressOf(Encoding.ASCII.GetString(header.Value));
                return addressOfRecord.Length > 0;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes the 200 OK granting the registration for <paramref name="seconds"/> to a REGISTER from
    /// <paramref name="source"/>: Via with <c>received</c> and <c>rport</c> (RFC 3261 section 18.2.1,
    /// RFC 3581 section 4), a To tag per dialog, and in <paramref name="sendTo"/> where it goes (section 18.2.2).
    /// </summary>
    public static bool TryWriteOk(Span<byte> destination, ReadOnlySpan<byte> request, SipEndpoint source, SipToTags toTags, int seconds, out int written, out SipEndpoint sendTo)
    {
        Span<byte> expires = stackalloc byte[32];
        "Expires: "u8.CopyTo(expires);
        if (!Utf8Formatter.TryFormat(seconds, expires[9..], out var digits))
        {
            written = 0;
            sendTo = default;
            return false;
        }

        "\r\n"u8.CopyTo(expires[(9 + digits)..]);
        return SipResponseWriter.TryWriteResponse(destination, request, source, 200, "OK"u8, toTags, expires[..(11 + digits)], out written, out sendTo);
    }
}
