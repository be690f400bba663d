using Microsoft.Extensions.Logging;
using NetServ.Container.Hosting;

// netserv-container: one per NetServ user, started by netservd through netserv-sandbox.
if (!ContainerOptions.TryParse(args, out var parsed, out var error) || parsed is null)
{
    Console.Error.WriteLine($"netserv-container: {error}");
    Console.Error.WriteLine(ContainerOptions.Usage);
    return 2;
}

using var loggerFactory = LoggerFactory.Create(builder => builder
    .SetMinimumLevel(parsed.LogLevel)
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
    })
    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    using var runtime = new ContainerRuntime(parsed, loggerFactory);
    return await runtime.RunAsync(stop.Token).ConfigureAwait(false);
}
catch (Exception e) when (e is System.Net.Sockets.SocketException or System.ComponentModel.Win32Exception or IOException or InvalidDataException)
{
    Console.Error.WriteLine($"netserv-container: {e.Message}");
    return 1;
}
