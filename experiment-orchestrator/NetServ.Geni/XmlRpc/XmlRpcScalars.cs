using System.Globalization;

namespace NetServ.Geni.XmlRpc;

/// <summary>The text forms of scalars, as written and as accepted from other implementations.</summary>
internal static class XmlRpcScalars
{
    // Without a zone: the spec's form and the ISO forms. With one (Z or an offset): what GENI
    // aggregates and Java servers send. Fractions of a second are accepted, never written.
    private static readonly string[] LocalForms =
    [
        "yyyyMMdd'T'HH:mm:ss", "yyyyMMdd'T'HHmmss", "yyyy-MM-dd'T'HH:mm:ss",
        "yyyyMMdd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
    ];

    private static readonly string[] ZonedForms =
    [
        "yyyyMMdd'T'HH:mm:ssK", "yyyyMMdd'T'HHmmssK", "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyyMMdd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyyMMdd'T'HH:mm:sszz00",
        "yyyy-MM-dd'T'HH:mm:sszz00",
    ];

    public static string FormatDateTime(DateTime value) => value.Kind switch
    {
        DateTimeKind.Unspecified => value.ToString("yyyyMMdd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        _ => value.ToUniversalTime().ToString("yyyyMMdd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    public static bool TryParseDateTime(string text, out DateTime value)
    {
        text = text.Trim();
        if (DateTime.TryParseExact(text, LocalForms, CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            return true;
        }

        if (DateTimeOffset.TryParseExact(text, ZonedForms, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var zoned))
        {
            value = zoned.UtcDateTime;
            return true;
        }

        return false;
    }

    public static bool TryParseInt(string text, out int value)
        => int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public static bool TryParseDouble(string text, out double value)
        => double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim())
        {
            case "1":
            case "true":
                value = true;
                return true;
            case "0":
            case "false":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool TryParseBase64(string text, out byte[] value)
    {
        // Python and Perl break base64 into lines; Convert skips the white space between them.
        try
        {
            value = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            value = [];
            return false;
        }
    }
}
