using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetServ.Apps.ActiveCdn.Provider;

// activecdn-provider: the content provider's origin of ActiveCDN. See applications/ActiveCDN/README.md.
if (args is ["--help"] or ["-h"] or ["-?"])
{
    Console.WriteLine(ProviderUsage.Text);
    return 0;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddOptions<ProviderOptions>().Bind(builder.Configuration.GetSection("Provider")).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<RegionDirectory>();
builder.Services.AddSingleton<CdnDeployer>();
builder.Services.AddSingleton<OriginEndpoint>();
builder.WebHost.ConfigureKestrel((context, kestrel) =>
{
    var listen = context.Configuration["Provider:Listen"] ?? "0.0.0.0:8000";
    kestrel.Listen(IPEndPoint.Parse(listen));
});

try
{
    var app = builder.Build();
    var endpoint = app.Services.GetRequiredService<OriginEndpoint>();
    app.MapMethods("/{**path}", ["GET", "HEAD"], endpoint.Handle);
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (OptionsValidationException e)
{
    // A missing or wrong setting is the user's to fix: say which, and how to give it, without a stack trace.
    await Console.Error.WriteLineAsync(ProviderUsage.Invalid(e.Failures)).ConfigureAwait(false);
    return 2;
}
