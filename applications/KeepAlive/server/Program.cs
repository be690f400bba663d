using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Apps.KeepAlive.Server;
using NetServ.Apps.Signaling;
using NetServ.Networking;
using NetServ.Sip;

var listen = new Option<string>("--listen") { Description = "the server's IPv4 address", Required = true };
var port = new Option<int>("--port") { Description = "the SIP port (UDP)", DefaultValueFactory = _ => 5060 };
var threshold = new Option<int>("--threshold") { Description = "keep-alives from one user agent within the window that start signaling", DefaultValueFactory = _ => 10 };
var window = new Option<double>("--window-seconds") { Description = "the sliding window keep-alives are counted over", DefaultValueFactory = _ => 60 };
var signaling = new SignalingCommandLine("KeepAlive");
var root = new RootCommand("A SIP server for the KeepAlive Responder (paper section 6.2): answers REGISTER, OPTIONS and NOTIFY keep-alives over UDP, and once a user agent's keep-alive rate passes the threshold, installs the KeepAlive module on the path toward it with a signed SETUP.")
{
    listen, port, threshold, window,
};
foreach (var option in signaling.Options)
{
    root.Options.Add(option);
}

root.SetAction(async (result, cancellationToken) =>
{
    var error = result.InvocationConfiguration.Error;
    if (!IPAddress.TryParse(result.GetValue(listen), out var address) || !Ipv4Address.TryParse(result.GetValue(listen), out var serverAddress))
    {
        await error.WriteLineAsync($"keepalive-server: --listen '{result.GetValue(listen)}' is not an IPv4 address").ConfigureAwait(false);
        return 2;
    }

    if (result.GetValue(threshold) < 1 || result.GetValue(window) <= 0)
    {
        await error.WriteLineAsync("keepalive-server: --threshold and --window-seconds must be positive").ConfigureAwait(false);
        return 2;
    }

    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }));
    var logger = loggers.CreateLogger("keepalive-server");
    if (!signaling.TryCreateSignaler(result, "keepalive-server", serverAddress, result.GetValue(port), string.Empty, logger, out var signaler, out var signalingError))
    {
        await error.WriteLineAsync(signalingError).ConfigureAwait(false);
        return 2;
    }

    var rate = new KeepAliveRate(result.GetValue(threshold), TimeSpan.FromSeconds(result.GetValue(window)), TimeProvider.System);
    var server = new KeepAliveSipServer(new SipRegistrar(new SipToTags()), rate, signaler, logger);
    await server.RunAsync(new IPEndPoint(address, result.GetValue(port)), cancellationToken).ConfigureAwait(false);
    return 0;
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
