using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NetServ.Contracts.Configuration;
using NetServ.Node.Admin;
using NetServ.Node.Configuration;
using NetServ.Node.Containers;
using NetServ.Node.Control;
using NetServ.Node.Forwarding;
using NetServ.Node.Modules;
using NetServ.Node.Signaling;
using NetServ.Node.Signaling.Routing;

namespace NetServ.Node;

/// <summary>Registers the parts of netservd.</summary>
internal static class NodeServiceCollectionExtensions
{
    /// <summary>The parts of netservd with <paramref name="configuration"/> (read and validated) as their options.</summary>
    public static IServiceCollection AddNetServNode(this IServiceCollection services, NodeConfiguration configuration)
    {
        services.AddSingleton(Options.Create(configuration));
        services.AddSingleton(TimeProvider.System);
        services.AddHttpClient(ModuleFetcher.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            // Modules come from the signaling user's server, never through a proxy of the node's environment.
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            MaxAutomaticRedirections = 3,
        });
        services.AddSingleton<ModuleFetcher>();
        services.AddHttpClient(ReverseRoutabilityCheck.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            // The password must come from the claimed address itself: no proxy, no redirect elsewhere.
            UseProxy = false,
            AllowAutoRedirect = false,
        });
        services.AddSingleton<ReverseRoutabilityCheck>();
        services.AddSingleton<IIptables, Iptables>();
        services.AddSingleton<ForwardingPlane>();
        services.AddSingleton<Cgroups>();
        services.AddSingleton<ContainerManager>();
        services.AddSingleton<IContainerHost>(sp => sp.GetRequiredService<ContainerManager>());
        services.AddSingleton<UserLocks>();
        services.AddSingleton<ModuleTable>();
        services.AddSingleton<RecentFailures>();
        services.AddSingleton<RecentRemovals>();
        services.AddSingleton<SignalingStatistics>();
        services.AddSingleton<IModuleStore, ModuleStore>();
        services.AddSingleton<InstallPolicy>();
        services.AddSingleton<FilterAnnouncer>();
        services.AddSingleton<ModuleInstaller>();
        services.AddSingleton<StatusReport>();
        services.AddSingleton<ContainerRecovery>();
        services.AddSingleton<Controller>();
        services.AddSingleton<RequestAuthenticator>();
        services.AddSingleton<IRouteLookup, NetlinkRouteLookup>();
        services.AddSingleton<ISignalingTransportFactory, GistSignalingTransportFactory>();
        services.AddSingleton<SignalingService>();

        // Start order: forwarding plane, containers, admin API, signaling; stop order is the reverse.
        services.AddHostedService(sp => sp.GetRequiredService<ForwardingPlane>());
        services.AddHostedService(sp => sp.GetRequiredService<ContainerManager>());
        services.AddHostedService<AdminServer>();
        services.AddHostedService(sp => sp.GetRequiredService<SignalingService>());
        return services;
    }
}
