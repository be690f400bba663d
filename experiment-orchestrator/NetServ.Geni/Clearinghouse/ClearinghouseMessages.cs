using System.Globalization;
using NetServ.Geni.AmApi;
using NetServ.Geni.Credentials;
using NetServ.Geni.XmlRpc;

namespace NetServ.Geni.Clearinghouse;

/// <summary>
/// A clearinghouse answer as both protocols shape it: <c>{code: int, value, output: string}</c>
/// (the Common Federation API v2's return struct, and ProtoGENI's slice authority's).
/// </summary>
/// <param name="Code">0 for success; otherwise a <see cref="FederationCode"/> or a <see cref="GeniCode"/>, by protocol.</param>
/// <param name="Value">What the call returns; nil on failure.</param>
/// <param name="Output">What the clearinghouse said, empty on success.</param>
internal sealed record ClearinghouseReturn(int Code, XmlRpcValue Value, string Output);

/// <summary>
/// The calls this project makes of a clearinghouse, argument by argument, and the readers of their
/// answers. No I/O. Two protocols:
/// <list type="bullet">
/// <item>the Common Federation API v2: the member authority's <c>get_credentials(member_urn, credentials,
/// options)</c>, the slice authority's <c>create("SLICE", credentials, {fields: {SLICE_NAME,
/// SLICE_PROJECT_URN}})</c>, <c>get_credentials(slice_urn, credentials, options)</c> and
/// <c>lookup("SLICE", credentials, {match: {…}})</c>; credentials go as the AM API v3's
/// <c>{geni_type, geni_version, geni_value}</c> structs;</item>
/// <item>ProtoGENI's slice authority (the fallback of the clients of Emulab and CloudLab):
/// <c>GetCredential()</c> for the user credential, then <c>Resolve</c>, <c>Register</c> and
/// <c>GetCredential</c> with <c>{credential, type: "Slice", urn}</c>.</item>
/// </list>
/// </summary>
internal static class ClearinghouseMessages
{
    public const string SliceType = "SLICE";

    // Federation API v2.

    /// <summary><c>get_credentials(urn, credentials, options)</c>, of the member authority for a user, of the slice authority for a slice.</summary>
    public static XmlRpcMethodCall GetCredentials(string urn, IReadOnlyList<AmCredential> credentials)
    {
        ArgumentException.ThrowIfNullOrEmpty(urn);
        return new("get_credentials", [urn, Credentials(credentials), new XmlRpcStruct()]);
    }

    /// <summary><c>create("SLICE", credentials, {fields: {SLICE_NAME, SLICE_PROJECT_URN?}})</c>.</summary>
    public static XmlRpcMethodCall CreateSlice(string sliceName, string? projectUrn, IReadOnlyList<AmCredential> credentials)
    {
        ArgumentException.ThrowIfNullOrEmpty(sliceName);
        var fields = new XmlRpcStruct { { "SLICE_NAME", sliceName } };
        if (projectUrn is not null)
        {
            fields.Add("SLICE_PROJECT_URN", projectUrn);
        }

        return new("create", [SliceType, Credentials(credentials), new XmlRpcStruct { { "fields", fields } }]);
    }

    /// <summary><c>lookup("SLICE", credentials, {match: {SLICE_URN: urn, SLICE_EXPIRED: false}})</c>.</summary>
    public static XmlRpcMethodCall LookupSlice(string sliceUrn, IReadOnlyList<AmCredential> credentials)
        => new("lookup", [SliceType, Credentials(credentials), new XmlRpcStruct { { "match", new XmlRpcStruct { { "SLICE_URN", sliceUrn }, { "SLICE_EXPIRED", false } } } }]);

    // ProtoGENI's slice authority.

    /// <summary><c>GetCredential()</c>: the caller's user credential.</summary>
    public static XmlRpcMethodCall ProtoGeniUserCredential() => new("GetCredential", []);

    /// <summary><c>Resolve</c>, <c>Register</c> or <c>GetCredential</c> of a slice: <c>{credential, type: "Slice", urn}</c>.</summary>
    public static XmlRpcMethodCall ProtoGeniSliceCall(string method, string userCredential, string sliceUrn)
    {
        ArgumentException.ThrowIfNullOrEmpty(userCredential);
        ArgumentException.ThrowIfNullOrEmpty(sliceUrn);
        return new(method, [new XmlRpcStruct { { "credential", userCredential }, { "type", "Slice" }, { "urn", sliceUrn } }]);
    }

    // Answers.

    /// <exception cref="XmlRpcTypeException">The answer is not <c>{code, value, output}</c>.</exception>
    public static ClearinghouseReturn ReadReturn(XmlRpcValue answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var whole = answer.AsStruct();
        var code = whole["code"] switch
        {
            XmlRpcInt i => i.Value,
            // Some servers send the code as the AM API's struct.
            XmlRpcStruct s => s.GetInt("geni_code"),
            var other => throw new XmlRpcTypeException($"member \"code\": a {other.TypeName}, not an int"),
        };
        var output = whole.TryGetValue("output", out var o) && o is XmlRpcString text ? text.Value : "";
        return new ClearinghouseReturn(code, whole.TryGetValue("value", out var value) ? value : XmlRpcNil.Instance, output);
    }

    /// <summary>
    /// The SFA credential of a Federation API credential list (<c>[{geni_type, geni_version, geni_value}]</c>),
    /// the type the AM API v3 takes (<c>geni_sfa</c>, version 3 preferred to 2).
    /// </summary>
    /// <exception cref="XmlRpcTypeException">The value is no such list, or holds no SFA credential.</exception>
    public static string ReadSfaCredential(XmlRpcValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sfa = value.AsArray()
            .Select(item => item.AsStruct())
            .Where(c => string.Equals(c.GetString("geni_type"), "geni_sfa", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.TryGetValue("geni_version", out var v) ? v.ToString() : "")
            .FirstOrDefault();
        return sfa?.GetString("geni_value")
            ?? throw new XmlRpcTypeException("the credential list holds no geni_sfa credential (the only kind the AM API v3 takes)");
    }

    /// <summary>The slice URN of <c>create("SLICE", …)</c>'s value.</summary>
    public static string ReadCreatedSliceUrn(XmlRpcValue value) => value.AsStruct().GetString("SLICE_URN");

    /// <summary>A slice URN: <c>urn:publicid:IDN+emulab.net:project+slice+name</c>, the project part when given.</summary>
    public static string SliceUrn(string authority, string sliceName, string? project)
        => new GeniUrn(project is null ? authority : $"{authority}:{project}", "slice", sliceName).ToString();

    /// <summary>An RFC 3339 UTC time, as the Federation API writes SLICE_EXPIRATION.</summary>
    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static XmlRpcArray Credentials(IReadOnlyList<AmCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new XmlRpcArray(credentials.Select(c => (XmlRpcValue)c.ToXmlRpc()).ToList());
    }
}
