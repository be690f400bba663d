namespace NetServ.Signaling.Gist;

/// <summary>The 12-bit Type field of an object's TLV header (RFC 5971 A.2 and its IANA considerations).</summary>
public enum GistObjectType : ushort
{
    MessageRoutingInformation = 0,
    SessionIdentification = 1,
    NetworkLayerInformation = 2,
    StackProposal = 3,
    StackConfigurationData = 4,
    QueryCookie = 5,
    ResponderCookie = 6,
    NatTraversal = 7,
    NslpData = 8,
    Error = 9,
    HelloId = 10,
}

/// <summary>
/// The A and B bits of a TLV header: what a node that does not understand the object does with it
/// (RFC 5971 A.2.1). The value is (A &lt;&lt; 1) | B.
/// </summary>
public enum GistObjectAction : byte
{
    /// <summary>AB=00: the whole message is rejected with Object Type Error, Unrecognised Object.</summary>
    Mandatory = 0,

    /// <summary>AB=01: the object is deleted and the rest of the message processed as usual.</summary>
    Ignore = 1,

    /// <summary>AB=10: the object is kept unchanged in any message forwarded, but not stored.</summary>
    Forward = 2,

    /// <summary>AB=11: reserved by RFC 5971; receiving it is Object Type Error, Invalid Extensibility Flags.</summary>
    Refresh = 3,
}
