using NetServ.Sdk;
using NetServ.TestModules.Crash;

[assembly: NetServModule(typeof(CrashModule))]

namespace NetServ.TestModules.Crash;

/// <summary>Throws on a thread of its own shortly after starting: an unhandled exception that ends the process.</summary>
public sealed class CrashModule : NetServModule
{
    protected override Task OnStartAsync(CancellationToken cancellationToken)
    {
        var thread = new Thread(() =>
        {
            Thread.Sleep(Context.Properties.GetInt32("delay_ms", 300));
            throw new InvalidOperationException("crash module: unhandled exception on its own thread");
        })
        { IsBackground = true };
        thread.Start();
        return Task.CompletedTask;
    }
}
