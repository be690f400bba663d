using System.Text;

namespace NetServ.Sip;

/// <summary>The header fields the SIP applications look at; everything else is <see cref="Other"/>.</summary>
public enum SipHeaderName : byte
{
    /// <summary>A header field not listed here.</summary>
    Other,
    Via,
    From,
    To,
    CallId,
    CSeq,
    ContentLength,
    ContentType,
    ContentEncoding,
    Contact,
    Event,
    AllowEvents,
    Subject,
    Supported,
    ReferTo,
    MaxForwards,
    Expires,
}

/// <summary>
/// Header field names as RFC 3261 section 7.3 reads them: case-insensitive, and with the compact
/// forms of section 7.3.3 (and of RFC 6665 and RFC 3515 for Event, Allow-Events and Refer-To).
/// </summary>
public static class SipHeaderNames
{
    /// <summary>Which known header <paramref name="name"/> is, in its full or compact form and in any case.</summary>
    public static SipHeaderName Identify(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            return (name[0] | 0x20) switch
            {
                'v' => SipHeaderName.Via,
                'f' => SipHeaderName.From,
                't' => SipHeaderName.To,
                'i' => SipHeaderName.CallId,
                'l' => SipHeaderName.ContentLength,
                'c' => SipHeaderName.ContentType,
                'e' => SipHeaderName.ContentEncoding,
                'm' => SipHeaderName.Contact,
                'o' => SipHeaderName.Event,
                'u' => SipHeaderName.AllowEvents,
                's' => SipHeaderName.Subject,
                'k' => SipHeaderName.Supported,
                'r' => SipHeaderName.ReferTo,
                _ => SipHeaderName.Other,
            };
        }

        // The length picks the few candidates; one case-insensitive comparison settles it.
        return name.Length switch
        {
            2 => Is(name, "To"u8, SipHeaderName.To),
            3 => Is(name, "Via"u8, SipHeaderName.Via),
            4 => Is(name, "From"u8, SipHeaderName.From) | Is(name, "CSeq"u8, SipHeaderName.CSeq),
            5 => Is(name, "Event"u8, SipHeaderName.Event),
            7 => Is(name, "Call-ID"u8, SipHeaderName.CallId) | Is(name, "Contact"u8, SipHeaderName.Contact)
                | Is(name, "Subject"u8, SipHeaderName.Subject) | Is(name, "Expires"u8, SipHeaderName.Expires),
            8 => Is(name, "Refer-To"u8, SipHeaderName.ReferTo),
            9 => Is(name, "Supported"u8, SipHeaderName.Supported),
            12 => Is(name, "Content-Type"u8, SipHeaderName.ContentType) | Is(name, "Max-Forwards"u8, SipHeaderName.MaxForwards)
                | Is(name, "Allow-Events"u8, SipHeaderName.AllowEvents),
            14 => Is(name, "Content-Length"u8, SipHeaderName.ContentLength),
            16 => Is(name, "Content-Encoding"u8, SipHeaderName.ContentEncoding),
            _ => SipHeaderName.Other,
        };
    }

    /// <summary>The full name of a known header, as a response writes it; empty for <see cref="SipHeaderName.Other"/>.</summary>
    public static ReadOnlySpan<byte> FullName(SipHeaderName name) => name switch
    {
        SipHeaderName.Via => "Via"u8,
        SipHeaderName.From => "From"u8,
        SipHeaderName.To => "To"u8,
        SipHeaderName.CallId => "Call-ID"u8,
        SipHeaderName.CSeq => "CSeq"u8,
        SipHeaderName.ContentLength => "Content-Length"u8,
        SipHeaderName.ContentType => "Content-Type"u8,
        SipHeaderName.ContentEncoding => "Content-Encoding"u8,
        SipHeaderName.Contact => "Contact"u8,
        SipHeaderName.Event => "Event"u8,
        SipHeaderName.AllowEvents => "Allow-Events"u8,
        SipHeaderName.Subject => "Subject"u8,
        SipHeaderName.Supported => "Supported"u8,
        SipHeaderName.ReferTo => "Refer-To"u8,
        SipHeaderName.MaxForwards => "Max-Forwards"u8,
        SipHeaderName.Expires => "Expires"u8,
        _ => [],
    };

    private static SipHeaderName Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> candidate, SipHeaderName value) =>
        Ascii.EqualsIgnoreCase(name, candidate) ? value : SipHeaderName.Other;
}
