namespace NetServ.Signaling.Tests.Gist;

/// <summary>
/// Objects and a message assembled by hand from the bit diagrams of RFC 5971 appendix A, for the values of
/// <see cref="GistSamples"/>. Each line is one 32-bit word.
/// </summary>
internal static class GistKnownAnswers
{
    /// <summary>Path-coupled MRI (A.3.1.1): 198.18.0.1/32 → 198.19.0.1/32, UDP, destination port 5060, downstream.</summary>
    public static readonly byte[] Mri =
    [
        0x00, 0x00, 0x00, 0x05, // A=0 B=0 r r, Type 0 (MRI) | r r r r, Length 5 words
        0x00, 0x00, 0x48, 0x40, // MRM-ID 0 | N=0, reserved | IP-Ver 4, P=1 T=0 F=0 S=0 | A=0 B=1 D=0, reserved
        0xC6, 0x12, 0x00, 0x01, // source address 198.18.0.1
        0xC6, 0x13, 0x00, 0x01, // destination address 198.19.0.1
        0x20, 0x20, 0x11, 0x00, // source prefix 32 | dest prefix 32 | protocol 17 | DS-field 0, Rsv
        0x00, 0x00, 0x13, 0xC4, // source port 0 (A=0: not significant) | destination port 5060
    ];

    /// <summary>Session-Identification (A.3.2).</summary>
    public static readonly byte[] SessionId =
    [
        0x00, 0x01, 0x00, 0x04, // Type 1, Length 4 words
        0x01, 0x23, 0x45, 0x67,
        0x89, 0xAB, 0xCD, 0xEF,
        0xFE, 0xDC, 0xBA, 0x98,
        0x76, 0x54, 0x32, 0x10,
    ];

    /// <summary>Network-Layer-Information (A.3.3): peer "node-a", IP-TTL 64, validity 30 s, 198.18.0.1.</summary>
    public static readonly byte[] Nli =
    [
        0x00, 0x02, 0x00, 0x05, // Type 2, Length 5 words
        0x06, 0x40, 0x40, 0x00, // PI-Length 6 | IP-TTL 64 | IP-Ver 4, reserved | reserved
        0x00, 0x00, 0x75, 0x30, // Routing State Validity Time 30000 ms
        0x6E, 0x6F, 0x64, 0x65, // Peer Identity "node"
        0x2D, 0x61, 0x00, 0x00, //               "-a", padding
        0xC6, 0x12, 0x00, 0x01, // Interface Address 198.18.0.1
    ];

    /// <summary>Query-Cookie (A.3.6).</summary>
    public static readonly byte[] QueryCookie =
    [
        0x00, 0x05, 0x00, 0x02, // Type 5, Length 2 words
        0xDE, 0xAD, 0xBE, 0xEF,
        0x01, 0x02, 0x03, 0x04,
    ];

    /// <summary>Stack-Proposal (A.3.4): one profile, Forwards-TCP.</summary>
    public static readonly byte[] StackProposal =
    [
        0x00, 0x03, 0x00, 0x02, // Type 3, Length 2 words
        0x01, 0x00, 0x00, 0x00, // Prof-Count 1 | reserved
        0x01, 0x01, 0x00, 0x00, // Prof-Length 1 | Proto-1 = 1 (Forwards-TCP) | padding
    ];

    /// <summary>Stack-Configuration-Data (A.3.5): MA-Hold-Time 30 s, Forwards-TCP on port 30270 for profile 1.</summary>
    public static readonly byte[] StackConfiguration =
    [
        0x00, 0x04, 0x00, 0x04, // Type 4, Length 4 words
        0x01, 0x00, 0x00, 0x00, // MPO-Count 1 | reserved
        0x00, 0x00, 0x75, 0x30, // MA-Hold-Time 30000 ms
        0x01, 0x01, 0x04, 0x00, // MA-Protocol-ID 1 | Profile 1 | Length 4 bytes | D=0, reserved
        0x76, 0x3E, 0x00, 0x00, // TCP port 30270 | reserved
    ];

    /// <summary>Error object (A.4.1): Object Type Error / Unrecognised Object about a Query, with S, M, C, D and Q.</summary>
    public static readonly byte[] ErrorObject =
    [
        0x00, 0x09, 0x00, 0x14, // Type 9, Length 20 words
        0x02, 0x00, 0x09, 0x01, // Error Class 2 (Protocol-Error) | Error Code 9 (Object Type Error) | Subcode 1
        0xF8, 0x00, 0x05, 0x01, // S=1 M=1 C=1 D=1 Q=1, reserved | MRI Length 5 words | Info Count 1
        0x01, 0x0F, 0x00, 0x14, // original common header: version 1 | hops 15 | length 20
        0x7F, 0xC0, 0x80, 0x00, //                         NSLPID 32704 | C=1 Type 0 (Query) | S=R=E=0
        0x01, 0x23, 0x45, 0x67, // Session Id
        0x89, 0xAB, 0xCD, 0xEF,
        0xFE, 0xDC, 0xBA, 0x98,
        0x76, 0x54, 0x32, 0x10,
        0x00, 0x00, 0x48, 0x40, // MRI value, no TLV header (as Mri above)
        0xC6, 0x12, 0x00, 0x01,
        0xC6, 0x13, 0x00, 0x01,
        0x20, 0x20, 0x11, 0x00,
        0x00, 0x00, 0x13, 0xC4,
        0x00, 0x03, 0x00, 0x01, // AI-Type 3 (Object Type Info) | AI-Length 1 word
        0x01, 0x23, 0x00, 0x00, // Object Type 0x123 | reserved
        0x75, 0x6E, 0x72, 0x65, // Debugging Comment "unrecognised object", NUL-terminated
        0x63, 0x6F, 0x67, 0x6E,
        0x69, 0x73, 0x65, 0x64,
        0x20, 0x6F, 0x62, 0x6A,
        0x65, 0x63, 0x74, 0x00,
    ];

    /// <summary>Hello-ID (A.3).</summary>
    public static readonly byte[] HelloId = [0x00, 0x0A, 0x00, 0x01, 0xFE, 0xED, 0xF0, 0x0D];

    /// <summary>A Q-mode Query datagram (A.1 with the magic number): MRI, SID, NLI, Query-Cookie.</summary>
    public static byte[] QueryDatagram() =>
    [
        0x4E, 0x04, 0xBD, 0xA5, // magic number
        0x01, 0x10, 0x00, 0x14, // Version 1 | GIST hops 16 | Message Length 20 words
        0x7F, 0xC0, 0x80, 0x40, // NSLPID 32704 | C=1 Type 0 (Query) | S=0 R=1 E=0, reserved
        .. Mri,
        .. SessionId,
        .. Nli,
        .. QueryCookie,
    ];
}
