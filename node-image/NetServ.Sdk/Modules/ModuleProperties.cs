using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace NetServ.Sdk;

/// <summary>
/// The <c>properties</c> header of a SETUP request: comma-separated <c>key=value</c> pairs
/// (<c>visualizer_ip=198.18.0.1,visualizer_port=5678</c>). Values may percent-encode
/// <c>,</c>, <c>=</c> and <c>%</c>. Keys are case-sensitive.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "The paper's header is called properties.")]
public sealed class ModuleProperties : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _values;

    /// <summary>Properties with no entries.</summary>
    public static ModuleProperties Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Creates properties from a dictionary of already-decoded values.</summary>
    public ModuleProperties(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    private ModuleProperties(Dictionary<string, string> values) => _values = values;

    /// <summary>Parses the header value. Returns <see langword="false"/> and an error for malformed input.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ModuleProperties? properties, [NotNullWhen(false)] out string? error)
    {
        properties = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            properties = new ModuleProperties(values);
            error = null;
            return true;
        }

        foreach (var rawPair in text.Split(','))
        {
            var pair = rawPair.Trim();
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = $"property '{pair}' is not of the form key=value";
                return false;
            }

            var key = pair[..equals].Trim();
            if (!TryDecode(pair[(equals + 1)..].Trim(), out var value))
            {
                error = $"property '{key}' has a malformed percent-encoding";
                return false;
            }

            if (!values.TryAdd(key, value))
            {
                error = $"property '{key}' is given twice";
                return false;
            }
        }

        properties = new ModuleProperties(values);
        error = null;
        return true;
    }

    /// <summary>Formats the properties as a header value, percent-encoding where needed.</summary>
    public string Format()
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(key).Append('=');
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];

                // Parsing trims white space around a value, so white space at its ends is encoded.
                var atEnd = i == 0 || i == value.Length - 1;
                if (c is ',' or '=' or '%' || char.IsControl(c) || (atEnd && char.IsWhiteSpace(c)))
                {
                    foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                    {
                        builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                    }
                }
                else
                {
                    builder.Append(c);
                }
            }
        }

        return builder.ToString();
    }

    /// <summary>Returns the value of <paramref name="key"/>, or <paramref name="defaultValue"/> when absent.</summary>
    [return: NotNullIfNotNull(nameof(defaultValue))]
    public string? GetString(string key, string? defaultValue = null) =>
        _values.TryGetValue(key, out var value) ? value : defaultValue;

    /// <summary>Returns the value of <paramref name="key"/> as an integer, or <paramref name="defaultValue"/> when absent.</summary>
    /// <exception cref="FormatException">The value is present but not an integer.</exception>
    public int GetInt32(string key, int defaultValue)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return defaultValue;
        }

        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new FormatException($"property '{key}' must be an integer, not '{value}'");
    }

    /// <summary>Returns the value of <paramref name="key"/> as a boolean (<c>true/false/1/0/yes/no</c>), or <paramref name="defaultValue"/>.</summary>
    /// <exception cref="FormatException">The value is present but not a boolean.</exception>
    public bool GetBoolean(string key, bool defaultValue)
    {
        if (!_values.TryGetValue(key, out var value))
        {
            return defaultValue;
        }

        return value.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new FormatException($"property '{key}' must be true or false, not '{value}'"),
        };
    }

    /// <inheritdoc />
    public string this[string key] => _values[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => Format();

    private static bool TryDecode(string text, out string value)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
        {
            value = text;
            return true;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                continue;
            }

            if (i + 2 >= text.Length
                || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                value = string.Empty;
                return false;
            }

            bytes.Add(b);
            i += 2;
        }

        value = Encoding.UTF8.GetString(bytes.ToArray());
        return true;
    }
}
