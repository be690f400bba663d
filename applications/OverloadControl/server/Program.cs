using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Apps.OverloadControl.Server;
using NetServ.Apps.Signaling;
using NetServ.Networking;

var listen = new Option<string>("--listen") { Description = "the server's IPv4 address", Required = true };
var port = new Option<int>("--port") { Description = "the SIP port (UDP)", DefaultValueFactory = _ => 5060 };
var capacity = new Option<double>("--capacity") { Description = "requests per second the server can handle", DefaultValueFactory = _ => 100 };
var threshold = new Option<double>("--threshold") { Description = "load, as a fraction of the capacity, past which the server signals and sends feedback", DefaultValueFactory = _ => 1.0 };
var targetFraction = new Option<double>("--target-fraction") { Description = "the target rate fed back, as a fraction of the capacity", DefaultValueFactory = _ => 1.0 };
var window = new Option<double>("--window-seconds") { Description = "the sliding window the load is measured over", DefaultValueFactory = _ => 1 };
var tickMs = new Option<int>("--tick-ms") { Description = "how often the server decides and sends feedback", DefaultValueFactory = _ => 500 };
var feedbackPort = new Option<int>("--feedback-port") { Description = "the UDP port the module receives feedback on (one the node's policy allows the user)", DefaultValueFactory = _ => 5070 };
var retryAfter = new Option<int>("--retry-after") { Description = "Retry-After seconds in the module's 503s", DefaultValueFactory = _ => 5 };
var feedbackTimeout = new Option<int>("--feedback-timeout") { Description = "seconds without feedback after which the module lets everything through", DefaultValueFactory = _ => 3 };
var signaling = new SignalingCommandLine("Overload Control");
var root = new RootCommand("A SIP server for Overload Control (paper section 6.4), the Receiving Entity: answers SIP requests over UDP with 200 OK, measures its load, and once the load passes the threshold installs the Overload Control module on the path toward its user agents with a signed SETUP and feeds it its target rate.")
{
    listen, port, capacity, threshold, targetFraction, window, tickMs, feedbackPort, retryAfter, feedbackTimeout,
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
        await error.WriteLineAsync($"overload-server: --listen '{result.GetValue(listen)}' is not an IPv4 address").ConfigureAwait(false);
        return 2;
    }

    if (result.GetValue(capacity) <= 0 || result.GetValue(threshold) <= 0 || result.GetValue(targetFraction) <= 0 || result.GetValue(window) <= 0 || result.GetValue(tickMs) < 10
        || result.GetValue(feedbackPort) is < 1 or > 65535 || result.GetValue(retryAfter) < 0 || result.GetValue(feedbackTimeout) < 1)
    {
        await error.WriteLineAsync("overload-server: --capacity, --threshold, --target-fraction, --window-seconds and --feedback-timeout must be positive, --tick-ms at least 10, --feedback-port 1-65535").ConfigureAwait(false);
        return 2;
    }

    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }));
    var logger = loggers.CreateLogger("overload-server");
    var moduleProperties = string.Create(
        CultureInfo.InvariantCulture,
        $"feedback-port={result.GetValue(feedbackPort)},retry-after={result.GetValue(retryAfter)},feedback-timeout={result.GetValue(feedbackTimeout)}");
    if (!signaling.TryCreateSignaler(result, "overload-server", serverAddress, result.GetValue(port), moduleProperties, logger, out var signaler, out var signalingError))
    {
        await error.WriteLineAsync(signalingError).ConfigureAwait(false);
        return 2;
    }

    var options = new OverloadOptions
    {
        Capacity = result.GetValue(capacity),
        Threshold = result.GetValue(threshold),
        TargetFraction = result.GetValue(targetFraction),
    };
    var server = new OverloadSipServer(
        new OverloadController(options, TimeProvider.System),
        new LoadMeter(TimeSpan.FromSeconds(result.GetValue(window)), TimeProvider.System),
        signaler,
        result.GetValue(feedbackPort),
        TimeSpan.FromMilliseconds(result.GetValue(tickMs)),
        logger,
        TimeProvider.System);
    await server.RunAsync(new IPEndPoint(address, result.GetValue(port)), cancellationToken).ConfigureAwait(false);
    return 0;
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
