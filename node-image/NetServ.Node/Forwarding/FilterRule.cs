using System.Globalization;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Node.Forwarding;

/// <summary>One netfilter rule of a module's packet filter: packets to one destination prefix go to the user's queue.</summary>
internal sealed record FilterRule(string User, string Module, FilterProtocol Protocol, int? Port, Ipv4Prefix Destination, int Queue)
{
    /// <summary>The comment that marks the rule as this module's.</summary>
    public string Comment => $"netserv user={User} module={Module}";

    /// <summary>The rule specification after the chain name, as given to -A and -D.</summary>
    public IReadOnlyList<string> Specification(bool queueBypass)
    {
        var arguments = new List<string> { "-d", Destination.ToString() };
        if (Protocol != FilterProtocol.Any)
        {
            arguments.Add("-p");
            arguments.Add(PacketFilter.ProtocolName(Protocol));
            if (Port is { } port)
            {
                arguments.Add("--dport");
                arguments.Add(port.ToString(CultureInfo.InvariantCulture));
            }
        }

        arguments.AddRange(["-m", "comment", "--comment", Comment, "-j", "NFQUEUE", "--queue-num", Queue.ToString(CultureInfo.InvariantCulture)]);
        if (queueBypass)
        {
            arguments.Add("--queue-bypass");
        }

        return arguments;
    }
}
