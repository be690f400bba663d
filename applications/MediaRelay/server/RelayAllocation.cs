using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace NetServ.Apps.MediaRelay.Server;

/// <summary>A relay session on a node: where the caller's side (A) and the callee's side (B) send their RTP.</summary>
internal sealed record RelayAllocation(string CallId, IPEndPoint CallerSide, IPEndPoint CalleeSide)
{
    /// <summary>Reads the module's answer <c>OK &lt;call-id&gt; &lt;port-a&gt; &lt;port-b&gt;</c>; <see langword="false"/> for an error or anything else.</summary>
    public static bool TryParse(string answer, IPAddress relay, [NotNullWhen(true)] out RelayAllocation? allocation)
    {
        allocation = null;
        var fields = answer.Trim().Split(' ');
        if (fields is not ["OK", var callId, var a, var b]
            || !int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var portA) || portA is < 1 or > 65535
            || !int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var portB) || portB is < 1 or > 65535)
        {
            return false;
        }

        allocation = new RelayAllocation(callId, new IPEndPoint(relay, portA), new IPEndPoint(relay, portB));
        return true;
    }
}
