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

    /// <summary>Writes the 200 OK granting the registration for <paramref name="seconds"/>.</summary>
    public static bool TryWriteOk(Span<byte> destination, ReadOnlySpan<byte> request, ReadOnlySpan<byte> toTag, int seconds, out int written) =>
        SipResponseWriter.TryWriteResponse(destination, request, 200, "OK"u8, toTag, Encoding.ASCII.GetBytes($"Expires: {seconds}\r\n"), out written);
}
