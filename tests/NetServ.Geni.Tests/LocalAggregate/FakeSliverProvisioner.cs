using NetServ.Geni.LocalAggregate;
using NetServ.RSpec;

namespace NetServ.Geni.Tests.LocalAggregate;

/// <summary>A provisioner that starts nothing: it records what it was asked and answers logins on 127.0.0.1.</summary>
internal sealed class FakeSliverProvisioner : ISliverProvisioner
{
    private int nextPort = 22000;

    public List<(string Slice, RequestRSpec Request, IReadOnlyList<SliverUser> Users)> Provisioned { get; } = [];

    public List<string> Started { get; } = [];

    public List<string> Stopped { get; } = [];

    public List<string> Released { get; } = [];

    /// <summary>What InspectAsync answers for a node; a node not named here runs.</summary>
    public Dictionary<string, NodeCondition> Conditions { get; } = [];

    /// <summary>When set, ProvisionAsync throws it.</summary>
    public Exception? Failure { get; set; }

    public Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(string sliceUrn, RequestRSpec request, IReadOnlyList<SliverUser> users, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        Provisioned.Add((sliceUrn, request, users));
        var host = 10;
        IReadOnlyList<ProvisionedNode> nodes =
        [
            .. request.Nodes.Select(n => new ProvisionedNode(
                n.ClientId,
                "127.0.0.1",
                nextPort++,
                "netserv",
                n.Interfaces.ToDictionary(i => i.ClientId, i => i.Ip?.ToString() ?? $"198.18.1.{host++}/24"))),
        ];
        return Task.FromResult(nodes);
    }

    public Task StartAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        Started.AddRange(clientIds);
        return Task.CompletedTask;
    }

    public Task StopAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        Stopped.AddRange(clientIds);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, NodeCondition>> InspectAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyDictionary<string, NodeCondition>>(clientIds.ToDictionary(id => id, id => Conditions.GetValueOrDefault(id, NodeCondition.Running)));

    public Task ReleaseAsync(string sliceUrn, IReadOnlyList<string> clientIds, CancellationToken cancellationToken)
    {
        Released.AddRange(clientIds);
        return Task.CompletedTask;
    }
}
