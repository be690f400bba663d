using NetServ.Networking;

namespace NetServ.Sip;

/// <summary>A UDP endpoint as SIP's transport sees it: where a request came from, or where its response goes.</summary>
/// <param name="Address">The IPv4 address.</param>
/// <param name="Port">The UDP port.</param>
public readonly record struct SipEndpoint(Ipv4Address Address, ushort Port);
