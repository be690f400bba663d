using NetServ.Networking;

namespace NetServ.Sip.Tests;

/// <summary>The fuzz target of the SIP library: whatever the bytes, nothing throws and what is written parses again.</summary>
internal static class SipFuzz
{
    private static readonly byte[] Buffer = new byte[70_000];
    private static readonly SipToTags ToTags = new();
    private static readonly SipEndpoint Source = new(new Ipv4Address(0xC0000201), 9988);

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var kind = SipKeepAlive.Classify(input);
        var reader = new SipHeaderReader(input, 0);
        while (reader.TryRead(out var header))
        {
            _ = SipValue.IsEvent(header.Value, "keep-alive"u8);
            _ = SipValue.TryParseCSeq(header.Value, out _, out _);
            _ = SipValue.TryParseContentLength(header.Value, out _);
            _ = SipValue.HasParameter(header.Value, "tag"u8);
            _ = SipVia.TryParse(header.Value, out _);
        }

        _ = SipParser.TryParseStatusLine(input, out _, out _);
        if (SipResponseWriter.TryWriteResponse(Buffer, input, 200, "OK"u8, "fz"u8, [], out var written))
        {
            ParsesAgain(written);
        }
        else if (kind == SipKeepAliveKind.Notify)
        {
            throw new InvalidOperationException("a keep-alive NOTIFY whose response cannot be written");
        }

        if (SipResponseWriter.TryWriteResponse(Buffer, input, Source, 200, "OK"u8, ToTags, [], out written, out var destination))
        {
            ParsesAgain(written);
            if (destination.Port == 0)
            {
                throw new InvalidOperationException("a response to port 0");
            }
        }
    }

    private static void ParsesAgain(int written)
    {
        var response = Buffer.AsSpan(0, written);
        if (!SipParser.TryParseStatusLine(response, out _, out var start))
        {
            throw new InvalidOperationException("a written response has no status line");
        }

        var again = new SipHeaderReader(response, start);
        while (again.TryRead(out _))
        {
        }

        if (again.State != SipHeaderReaderState.End || again.BodyOffset != written)
        {
            throw new InvalidOperationException("a written response does not parse again");
        }
    }
}
