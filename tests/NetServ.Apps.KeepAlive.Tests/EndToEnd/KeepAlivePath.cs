using System.Globalization;
using NetServ.TestSupport.Sip;

namespace NetServ.Apps.KeepAlive.Tests.EndToEnd;

/// <summary>The KeepAlive Responder's path (paper Figure 8): its module, keepalive-server, namespaces <c>ns-ka…</c>.</summary>
internal static class KeepAlivePath
{
    public const string Module = "NetServ.Apps.KeepAlive_1.0.0";

    public static readonly SipPathOptions Options = new("ka", "NetServ.Apps.KeepAlive", "applications/KeepAlive/NetServ.Apps.KeepAlive.csproj", "NetServ.Apps.KeepAlive.Server", "keepalive-server");

    /// <summary>Starts keepalive-server: it installs the module after <paramref name="threshold"/> keep-alives from one user agent within two minutes.</summary>
    public static void StartSipServer(this SipPath path, int threshold, string? properties = null)
    {
        IEnumerable<string> arguments = [.. path.SignalingArguments, "--threshold", threshold.ToString(CultureInfo.InvariantCulture), "--window-seconds", "120"];
        path.StartSipServer(properties is null ? arguments : [.. arguments, "--properties", properties]);
    }

    /// <summary>How many keep-alive NOTIFYs the SIP server has answered itself.</summary>
    public static int ServerKeepAlives(this SipPath path) => path.ServerLines($"keep-alive KeepAliveNotify from {SipPath.UaAddress}:{SipPath.UaPort}");
}
