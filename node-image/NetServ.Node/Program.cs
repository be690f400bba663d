using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NetServ.Contracts.Configuration;
using NetServ.Node;
using NetServ.Node.Configuration;
using NetServ.Node.Containers;
using NetServ.Node.Hosting;

// netservd: the NetServ node daemon. Usage: netservd [--config /etc/netserv/netserv.json] [--parent-pid PID]
var configPath = "/etc/netserv/netserv.json";
int? parentPid = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--config" when i + 1 < args.Length:
            configPath = args[++i];
            break;
        case "--parent-pid" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid):
            parentPid = pid;
            i++;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: netservd [--config FILE] [--parent-pid PID]");
            Console.WriteLine("  --config FILE     configuration (default /etc/netserv/netserv.json)");
            Console.WriteLine("  --parent-pid PID  stop when process PID exits");
            return 0;
        default:
            Console.Error.WriteLine($"netservd: unknown argument '{args[i]}' (see --help)");
            return 2;
    }
}

if (!File.Exists(configPath))
{
    Console.Error.WriteLine($"netservd: configuration file {configPath} not found (use --config)");
    return 2;
}

if (!NodeConfigurationReader.TryRead(Path.GetFullPath(configPath), out var configuration, out var readError))
{
    Console.Error.WriteLine($"netservd: invalid configuration: {readError}");
    return 2;
}

if (CgroupMount.ReadProblem() is { } cgroups)
{
    Console.Error.WriteLine($"netservd: {cgroups}");
    return 1;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
// The file's logging levels go where the host's logging reads them, over the environment's as they always have.
builder.Configuration.AddInMemoryCollection(
    configuration.Logging?.LogLevel?.Select(level => KeyValuePair.Create<string, string?>($"Logging:LogLevel:{level.Key}", level.Value)) ?? []);

// NetServ__Section__Setting environment variables still override the file's settings.
builder.Configuration.GetSection(NodeConfiguration.SectionName).Bind(configuration.NetServ);
if (NodeConfigurationValidator.Validate(configuration.NetServ) is { Count: > 0 } errors)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"netservd: invalid configuration: {error}");
    }

    return 2;
}

builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
    console.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
});
builder.Services.AddSystemd();
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(20));
builder.Services.AddNetServNode(configuration.NetServ);
if (parentPid is { } parent)
{
    builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<ParentWatcher>(sp, parent));
}

try
{
    using var host = builder.Build();
    await host.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"netservd: {e.Message}");
    return 1;
}
