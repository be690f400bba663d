namespace NetServ.Signaling.Nslp;

/// <summary>The header names of NetServ NSLP messages (Figure 4 and its companion technical report).</summary>
public static class NslpHeaderNames
{
    public const string Dependencies = "dependencies";
    public const string FilterPort = "filter-port";
    public const string FilterProto = "filter-proto";
    public const string FilterDst = "filter-dst";
    public const string Notification = "notification";
    public const string Properties = "properties";
    public const string Ttl = "ttl";
    public const string User = "user";
    public const string Url = "url";
    public const string ModuleDigest = "module-digest";
    public const string Signature = "signature";
    public const string Probe = "probe";
    public const string Nonce = "nonce";
    public const string Timestamp = "timestamp";
    public const string ContentLength = "content-length";
    public const string ContentType = "content-type";
    public const string Node = "node";
    public const string Error = "error";

    /// <summary>Which segment of a response too long for one GIST message this is, as <c>i/n</c> (see <see cref="NslpSegments"/>).</summary>
    public const string Segment = "segment";

    /// <summary>The one-time password of the reverse-routability check (paper section 5.2).</summary>
    public const string OwnershipPassword = "ownership-password";
}
