using System.Globalization;
using System.IO.Compression;
using System.Text;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.AmApi;

/// <summary>
/// The return struct every AM API v3 method answers with:
/// <c>{code: {geni_code, am_type?, am_code?}, value, output}</c>
/// (http://groups.geni.net/geni/wiki/GAPI_AM_API_V3/CommonConcepts#ReturnStruct).
/// </summary>
/// <param name="Code">The GENI code.</param>
/// <param name="AmType">The aggregate's kind (<c>protogeni</c>, <c>gcf</c>…), when said.</param>
/// <param name="AmCode">The aggregate's own code, when said.</param>
/// <param name="Value">The method's result; nil when the answer has none (an error).</param>
/// <param name="Output">What the aggregate says, usually only on errors.</param>
/// <param name="Whole">The whole struct: GetVersion puts <c>geni_api</c> beside <c>code</c>.</param>
internal sealed record AmReturn(GeniCode Code, string? AmType, int? AmCode, XmlRpcValue Value, string? Output, XmlRpcStruct Whole);

/// <summary>
/// Reads AM API v3 answers into typed results. No I/O. A value of the wrong shape throws
/// <see cref="XmlRpcTypeException"/> naming the member, which the client reports as a malformed answer.
/// Aggregates differ in small ways (an int sent as a string, a time as <c>dateTime.iso8601</c> rather
/// than an RFC 3339 string, a boolean as 0 or 1): each is read as the API means it.
/// </summary>
internal static class AmApiResponses
{
    /// <summary>Reads the return struct.</summary>
    /// <exception cref="XmlRpcTypeException">The answer is not a return struct.</exception>
    public static AmReturn ReadReturn(XmlRpcValue answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var whole = answer.AsStruct();
        var code = whole.GetStruct("code");
        return new AmReturn(
            (GeniCode)Int(code, "geni_code"),
            Text(code, "am_type"),
            code.TryGetValue("am_code", out var amCode) && !amCode.IsNil ? Int(code, "am_code") : null,
            whole.TryGetValue("value", out var value) ? value : XmlRpcNil.Instance,
            Text(whole, "output"),
            whole);
    }

    /// <summary>GetVersion's value. <c>geni_api</c> is read from the value, or from beside <c>code</c> where v3 puts it too.</summary>
    public static AmVersion ReadVersion(AmReturn answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var value = answer.Value.AsStruct();
        var api = value.Contains("geni_api") ? Int(value, "geni_api") : Int(answer.Whole, "geni_api");
        var apiVersions = value.TryGetValue("geni_api_versions", out var versions)
            ? Member("geni_api_versions", () => versions.AsStruct().ToDictionary(m => m.Key, m => m.Value.AsString(), StringComparer.Ordinal))
            : new Dictionary<string, string>();
        return new AmVersion(
            api,
            apiVersions,
            RSpecVersions(value, "geni_request_rspec_versions"),
            RSpecVersions(value, "geni_ad_rspec_versions"),
            value.Contains("geni_credential_types")
                ? Member("geni_credential_types", () => value.GetArray("geni_credential_types").Select(t => new AmCredentialType(Text(t.AsStruct(), "geni_type") ?? "", Text(t.AsStruct(), "geni_version") ?? "")).ToList())
                : [],
            value.Contains("geni_single_allocation") && Boolean(value, "geni_single_allocation"),
            Text(value, "geni_allocate") switch
            {
                null or "geni_single" => AllocateMode.GeniSingle,
                "geni_disjoint" => AllocateMode.GeniDisjoint,
                "geni_many" => AllocateMode.GeniMany,
                var other => throw new XmlRpcTypeException($"member \"geni_allocate\": '{other}' is none of geni_single, geni_disjoint, geni_many"),
            });
    }

    /// <summary>ListResources' value: the advertisement, decompressed.</summary>
    public static string ReadAdvertisement(AmReturn answer) => DecodeRSpec(answer.Value, "value");

    /// <summary>The value of Allocate, Provision and Describe: <c>{geni_rspec, geni_urn?, geni_slivers}</c>.</summary>
    public static AmManifestResult ReadManifestResult(AmReturn answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var value = answer.Value.AsStruct();
        return new AmManifestResult(DecodeRSpec(value["geni_rspec"], "geni_rspec"), Text(value, "geni_urn"), Slivers(value));
    }

    /// <summary>Status' value: <c>{geni_urn, geni_slivers}</c>.</summary>
    public static AmSliceStatus ReadStatus(AmReturn answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var value = answer.Value.AsStruct();
        return new AmSliceStatus(value.GetString("geni_urn"), Slivers(value));
    }

    /// <summary>The value of Renew, PerformOperationalAction and Delete: an array of slivers.</summary>
    public static IReadOnlyList<AmSliver> ReadSliverList(AmReturn answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Value.AsArray().Select((s, i) => Member($"sliver {i}", () => Sliver(s.AsStruct()))).ToList();
    }

    /// <summary>Shutdown's value: a boolean.</summary>
    public static bool ReadShutdown(AmReturn answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Value switch
        {
            XmlRpcBoolean b => b.Value,
            XmlRpcInt i => i.Value != 0,
            var other => throw new XmlRpcTypeException($"expected boolean, got {other.Describe()}"),
        };
    }

    /// <summary>
    /// An rspec as answered: text, or with <c>geni_compressed</c> zlib-compressed and base64-encoded
    /// (in a string, as Python aggregates send it, or in a <c>&lt;base64&gt;</c>). Text that is not
    /// XML is taken for the compressed form whether or not it was asked for.
    /// </summary>
    /// <exception cref="XmlRpcTypeException">Neither an rspec nor zlib data in base64, or it inflates beyond <see cref="XmlRpcLimits.MaxDocumentLength"/>.</exception>
    public static string DecodeRSpec(XmlRpcValue value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        byte[] compressed;
        switch (value)
        {
            case XmlRpcString s when s.Value.TrimStart().StartsWith('<'):
                return s.Value;
            case XmlRpcString s:
                try
                {
                    compressed = Convert.FromBase64String(s.Value);
                }
                catch (FormatException)
                {
                    throw new XmlRpcTypeException($"member \"{name}\": neither an rspec nor zlib data in base64 (it starts '{Start(s.Value)}')");
                }

                break;
            case XmlRpcBase64 b when b.Value.Length > 0 && b.Value.Span[0] == (byte)'<':
                return Encoding.UTF8.GetString(b.Value.Span);
            case XmlRpcBase64 b:
                compressed = b.Value.ToArray();
                break;
            default:
                throw new XmlRpcTypeException($"member \"{name}\": expected an rspec (string or base64), got {value.Describe()}");
        }

        return Inflate(compressed, name, XmlRpcLimits.Default.MaxDocumentLength);
    }

    private static string Inflate(byte[] compressed, string name, int limit)
    {
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            var output = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = zlib.Read(chunk)) > 0)
            {
                // A small answer can inflate to gigabytes; stop at what a document may be.
                if (output.Length + read > limit)
                {
                    throw new XmlRpcTypeException($"member \"{name}\": the compressed rspec inflates beyond {limit} bytes");
                }

                output.Write(chunk, 0, read);
            }

            return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
        }
        catch (InvalidDataException e)
        {
            throw new XmlRpcTypeException($"member \"{name}\": base64 but not zlib data ({e.Message})", e);
        }
    }

    private static List<AmSliver> Slivers(XmlRpcStruct value)
        => value.Contains("geni_slivers")
            ? value.GetArray("geni_slivers").Select((s, i) => Member($"geni_slivers[{i}]", () => Sliver(s.AsStruct()))).ToList()
            : [];

    private static AmSliver Sliver(XmlRpcStruct sliver)
        => new(
            sliver.GetString("geni_sliver_urn"),
            sliver.GetString("geni_allocation_status"),
            Text(sliver, "geni_operational_status"),
            Time(sliver, "geni_expires"),
            Text(sliver, "geni_error") is { Length: > 0 } error ? error : null);

    private static List<RSpecVersionInfo> RSpecVersions(XmlRpcStruct value, string name)
        => value.Contains(name)
            ? Member(name, () => value.GetArray(name).Select(v =>
            {
                var s = v.AsStruct();
                return new RSpecVersionInfo(
                    Text(s, "type") ?? throw new XmlRpcTypeException("an rspec version has no type"),
                    Text(s, "version") ?? throw new XmlRpcTypeException("an rspec version has no version"),
                    Text(s, "schema"),
                    Text(s, "namespace"),
                    s.Contains("extensions") ? s.GetArray("extensions").Select(e => e.AsString()).ToList() : []);
            }).ToList())
            : [];

    /// <summary>A string member, or an int written for one; <see langword="null"/> when missing or nil.</summary>
    private static string? Text(XmlRpcStruct s, string name) => s.TryGetValue(name, out var value) ? value switch
    {
        XmlRpcNil => null,
        XmlRpcString text => text.Value,
        XmlRpcInt i => i.ToString(),
        XmlRpcDouble d => d.ToString(),
        var other => throw new XmlRpcTypeException($"member \"{name}\": expected string, got {other.Describe()}"),
    }
    : null;

    /// <summary>An int member, or a string holding one.</summary>
    private static int Int(XmlRpcStruct s, string name) => s[name] switch
    {
        XmlRpcInt i => i.Value,
        XmlRpcString text when int.TryParse(text.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        var other => throw new XmlRpcTypeException($"member \"{name}\": expected int, got {other.Describe()}"),
    };

    /// <summary>A boolean member, or 0/1 as an int.</summary>
    private static bool Boolean(XmlRpcStruct s, string name) => s[name] switch
    {
        XmlRpcBoolean b => b.Value,
        XmlRpcInt i => i.Value != 0,
        var other => throw new XmlRpcTypeException($"member \"{name}\": expected boolean, got {other.Describe()}"),
    };

    /// <summary>An RFC 3339 string (the API's form) or a <c>dateTime.iso8601</c>, taken as UTC when it has no zone.</summary>
    private static DateTimeOffset? Time(XmlRpcStruct s, string name)
    {
        if (!s.TryGetValue(name, out var value))
        {
            return null;
        }

        return value switch
        {
            XmlRpcNil => null,
            XmlRpcString { Value.Length: 0 } => null,
            XmlRpcDateTime t => new DateTimeOffset(DateTime.SpecifyKind(t.Value, DateTimeKind.Utc)),
            XmlRpcString text when DateTimeOffset.TryParse(text.Value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time.ToUniversalTime(),
            var other => throw new XmlRpcTypeException($"member \"{name}\": expected an RFC 3339 time, got {other.Describe()}"),
        };
    }

    private static T Member<T>(string name, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (XmlRpcTypeException e)
        {
            throw new XmlRpcTypeException($"{name}: {e.Message}", e);
        }
    }

    private static string Start(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
