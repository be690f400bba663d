using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using NetServ.Apps.MediaRelay.Server;
using NetServ.Apps.Signaling;
using NetServ.Sdk;
using NetServ.Sip;

var listen = new Option<string>("--listen") { Description = "the server's IPv4 address, as user agents reach it (the proxy's Via and Record-Route name it)", Required = true };
var port = new Option<int>("--port") { Description = "the SIP port (UDP)", DefaultValueFactory = _ => 5060 };
var package = new Option<string>("--package") { Description = "the MediaRelay module package", Required = true };
var url = new Option<string>("--url") { Description = "where NetServ nodes download the package", Required = true };
var user = new Option<string>("--user") { Description = "the NetServ user the server signals as", Required = true };
var key = new Option<string>("--key") { Description = "that user's private key file (netserv keygen)", Required = true };
var ttl = new Option<int?>("--ttl") { Description = "seconds the module lives on the nodes unless signaled again" };
var properties = new Option<string?>("--properties") { Description = "key=value,key=value handed to the module (control-port, port-min, port-max, session-timeout, controller)" };
var root = new RootCommand("A SIP registrar and call proxy for the Media Relay (paper section 6.3, Figure 9): answers REGISTER over UDP and installs the MediaRelay module on the path toward each registering user agent with a signed SETUP, remembering the node nearest the agent as its relay; proxies INVITE, ACK and BYE between registered agents, allocating a relay session for each call and pointing both SDP bodies at it.")
{
    listen, port, package, url, user, key, ttl, properties,
};
root.SetAction(async (result, cancellationToken) =>
{
    if (!IPAddress.TryParse(result.GetValue(listen), out var address))
    {
        await result.InvocationConfiguration.Error.WriteLineAsync($"mediarelay-server: --listen '{result.GetValue(listen)}' is not an IPv4 address").ConfigureAwait(false);
        return 2;
    }

    if (!ModuleProperties.TryParse(result.GetValue(properties), out var moduleProperties, out var propertiesError))
    {
        await result.InvocationConfiguration.Error.WriteLineAsync($"mediarelay-server: --properties: {propertiesError}").ConfigureAwait(false);
        return 2;
    }

    int controlPort;
    try
    {
        controlPort = moduleProperties.GetInt32("control-port", 7070);
    }
    catch (FormatException e)
    {
        await result.InvocationConfiguration.Error.WriteLineAsync($"mediarelay-server: --properties: {e.Message}").ConfigureAwait(false);
        return 2;
    }

    var listenOn = new IPEndPoint(address, result.GetValue(port));
    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }));
    var logger = loggers.CreateLogger("mediarelay-server");
    var signaler = new ModuleSignaler(
        new ModuleSignalerOptions
        {
            PackagePath = result.GetValue(package)!,
            Url = new Uri(result.GetValue(url)!),
            User = result.GetValue(user)!,
            KeyPath = result.GetValue(key)!,
            TtlSeconds = result.GetValue(ttl),
            Properties = result.GetValue(properties),
            ClientName = "mediarelay-server",
        },
        logger,
        TimeProvider.System);
    var toTags = new SipToTags();
    var directory = new RelayDirectory();

    // The relays answer within a LAN round trip or not at all; three tries keep an INVITE waiting at most three seconds.
    var planner = new CallRelayPlanner(directory, new RelayControlClient(controlPort, TimeSpan.FromSeconds(1)));
    var proxy = new SipCallProxy(directory, planner, listenOn, toTags, TimeProvider.System, logger);
    var server = new MediaRelaySipServer(directory, signaler, proxy, toTags, logger);
    await server.RunAsync(listenOn, cancellationToken).ConfigureAwait(false);
    return 0;
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
