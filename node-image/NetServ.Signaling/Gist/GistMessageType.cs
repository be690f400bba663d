namespace NetServ.Signaling.Gist;

/// <summary>The 7-bit Type field of the common header (RFC 5971 A.1 and its IANA considerations).</summary>
public enum GistMessageType : byte
{
    Query = 0,
    Response = 1,
    Confirm = 2,
    Data = 3,
    Error = 4,
    MaHello = 5,
}
