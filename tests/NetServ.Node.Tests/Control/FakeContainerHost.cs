using NetServ.Contracts.Configuration;
using NetServ.Contracts.Control;
using NetServ.Node.Containers;

namespace NetServ.Node.Tests.Control;

/// <summary>
/// The users' containers in memory: one ready container per configured user, every request recorded
/// and answered by <see cref="Answer"/> (by default with success), every recycle recorded.
/// </summary>
internal sealed class FakeContainerHost : IContainerHost
{
    private readonly Dictionary<string, ContainerHandle> _containers = new(StringComparer.Ordinal);

    public FakeContainerHost(NodeConfiguration options)
    {
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var handle = new ContainerHandle(user, 64200 + i, 100 + i, $"/var/lib/netserv-test/{options.NodeName}/containers/{user.Name}")
            {
                Hello = new HelloMessage { Pid = 4000 + i, User = user.Name, SdkVersion = "1.0.0", BuildingBlocks = ["http-server"] },
            };
            handle.State = ContainerState.Ready;
            _containers.Add(user.Name, handle);
        }
    }

    public IReadOnlyCollection<ContainerHandle> Containers => _containers.Values;

    public IContainerEvents? Events { get; set; }

    /// <summary>Every request, in the order it was sent.</summary>
    public List<(string User, ControlMessage Message)> Requests { get; } = [];

    /// <summary>Every recycle, in the order it was asked for.</summary>
    public List<(string User, ContainerRestartReason Reason)> Recycles { get; } = [];

    /// <summary>The container's answer to a request; throw <see cref="ContainerUnavailableException"/> for a container that is gone.</summary>
    public Func<string, ControlMessage, ReplyMessage> Answer { get; set; } = (_, _) => new ReplyMessage { Ok = true };

    public ContainerHandle this[string user] => _containers[user];

    /// <summary>The requests of one kind, in order.</summary>
    public List<T> RequestsOf<T>()
        where T : ControlMessage => Requests.Select(r => r.Message).OfType<T>().ToList();

    public bool TryGet(string user, out ContainerHandle handle) => _containers.TryGetValue(user, out handle!);

    public Task<ReplyMessage> RequestAsync(string user, ControlMessage message, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        Requests.Add((user, message));
        try
        {
            return Task.FromResult(Answer(user, message));
        }
        catch (ContainerUnavailableException e)
        {
            return Task.FromException<ReplyMessage>(e);
        }
    }

    public Task RecycleAsync(string user, ContainerRestartReason reason)
    {
        Recycles.Add((user, reason));
        return Task.CompletedTask;
    }

    public Contracts.Status.ContainerStatus Describe(ContainerHandle handle) => new()
    {
        State = handle.State == ContainerState.Ready ? Contracts.Status.ContainerState.Ready : Contracts.Status.ContainerState.Stopped,
        Uid = handle.Uid,
        Queue = handle.Queue,
        User = handle.Name,
    };
}
