using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetServ.Node;
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

if (CgroupMount.ReadProblem() is { } cgroups)
{
    Console.Error.WriteLine($"netservd: {cgroups}");
    return 1;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
builder.Configuration.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
    console.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
});
builder.Services.AddSystemd();
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(20));
builder.Services.AddNetServNode(builder.Configuration);
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
catch (OptionsValidationException e)
{
    foreach (var failure in e.Failures)
    {
        Console.Error.WriteLine($"netservd: invalid configuration: {failure}");
    }

    return 2;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"netservd: {e.Message}");
    return 1;
}
