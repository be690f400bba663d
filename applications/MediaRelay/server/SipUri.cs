namespace NetServ.Apps.MediaRelay.Server;

/// <summary>
/// The few pieces of SIP header values the proxy reads as text: the URI of a name-addr, the user
/// of a URI, a header parameter (<c>tag</c>, <c>branch</c>), and the first element of a
/// comma-separated list. Strings in, strings out; values that do not have the piece give
/// <see langword="null"/> or empty, never an exception.
/// </summary>
internal static class SipUri
{
    /// <summary>The URI of a From, To, Contact or Route value, without display name, brackets or header parameters: <c>"Alice" &lt;sip:alice@itsp&gt;;tag=1</c> → <c>sip:alice@itsp</c>.</summary>
    public static string AddressOf(string value)
    {
        var open = value.IndexOf('<', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = value.IndexOf('>', open + 1);
            return close > open ? value[(open + 1)..close].Trim() : string.Empty;
        }

        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? value[..semicolon] : value).Trim();
    }

    /// <summary>The user part of a SIP URI (<c>sip:bob@itsp;transport=udp</c> → <c>bob</c>); <see langword="null"/> when it has none.</summary>
    public static string? UserOf(string uri)
    {
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        if (colon < 0 || at <= colon + 1)
        {
            return null;
        }

        // user[:password]@host: the password is not part of the name.
        var user = uri[(colon + 1)..at];
        var password = user.IndexOfAny([':', ';']);
        return password > 0 ? user[..password] : user;
    }

    /// <summary>
    /// The value of the header parameter <paramref name="name"/> (case-insensitive) of the first
    /// element of <paramref name="value"/>: <c>branch</c> of a Via, <c>tag</c> of From or To.
    /// Parameters inside angle brackets belong to the URI and do not count. Empty for a parameter
    /// without a value, <see langword="null"/> when it is absent.
    /// </summary>
    public static string? Parameter(string value, string name)
    {
        var first = FirstElement(value, out _);
        var close = first.LastIndexOf('>');
        var parameters = first[(close + 1)..].Split(';');
        for (var i = 1; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var key = (equals >= 0 ? parameter[..equals] : parameter).Trim();
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return equals >= 0 ? parameter[(equals + 1)..].Trim() : string.Empty;
            }
        }

        return null;
    }

    /// <summary>
    /// Splits a header value that may list several elements (Via, Route) at its first comma outside
    /// quotes and angle brackets; <paramref name="rest"/> is what follows, empty when there is nothing.
    /// </summary>
    public static string FirstElement(string value, out string rest)
    {
        var quoted = false;
        var bracketed = false;
        for (var i = 0; i < value.Length; i++)
        {
            switch (value[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '\\' when quoted:
                    i++;
                    break;
                case '<' when !quoted:
                    bracketed = true;
                    break;
                case '>' when !quoted:
                    bracketed = false;
                    break;
                case ',' when !quoted && !bracketed:
                    rest = value[(i + 1)..].Trim();
                    return value[..i].Trim();
            }
        }

        rest = string.Empty;
        return value.Trim();
    }
}
