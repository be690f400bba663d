using Microsoft.Extensions.Logging.Abstractions;
using NetServ.Container.Modules;
using NetServ.Contracts.Control;
using NetServ.Networking;
using NetServ.Sdk;

namespace NetServ.Container.Tests.Modules;

/// <summary>The container's end of the filter-events building block: the node's numbered sets become added and removed filters.</summary>
[TestFixture]
public sealed class NodeFiltersTests
{
    private static readonly InstalledFilterSpec Sip = Spec("alice", "NetServ.Apps.KeepAlive_1.0.0", "198.19.0.0/24", 5060);
    private static readonly InstalledFilterSpec Video = Spec("bob", "NetServ.Apps.MediaRelay_1.0.0", "198.19.1.0/24", 5004);

    [Test]
    public void Apply_SetsInTurn_TellsSubscribersWhatWasAddedAndRemoved()
    {
        var filters = new NodeFilters(NullLoggerFactory.Instance);
        var observer = new RecordingObserver();
        using var subscription = filters.Events.Subscribe(observer);

        filters.Apply(new FiltersMessage { Version = 1, Filters = [Sip] });
        filters.Apply(new FiltersMessage { Version = 2, Filters = [Sip, Video] });
        filters.Apply(new FiltersMessage { Version = 3, Filters = [Video] });

        Assert.That(observer.Events, Is.EqualTo(new[]
        {
            "+ NetServ.Apps.KeepAlive_1.0.0 udp/5060 to 198.19.0.0/24",
            "+ NetServ.Apps.MediaRelay_1.0.0 udp/5004 to 198.19.1.0/24",
            "- NetServ.Apps.KeepAlive_1.0.0 udp/5060 to 198.19.0.0/24",
        }));
    }

    [Test]
    public void Apply_OlderSet_IsIgnored()
    {
        var filters = new NodeFilters(NullLoggerFactory.Instance);
        filters.Apply(new FiltersMessage { Version = 5, Filters = [Sip] });

        var taken = filters.Apply(new FiltersMessage { Version = 4, Filters = [] });

        Assert.That(taken, Is.False);
        Assert.That(filters.Events.Current.Single().Module, Is.EqualTo(Sip.Module));
    }

    [Test]
    public void Subscribe_AfterSets_IsToldOfTheFiltersInstalledNow()
    {
        var filters = new NodeFilters(NullLoggerFactory.Instance);
        filters.Apply(new FiltersMessage { Version = 1, Filters = [Sip, Video] });
        var observer = new RecordingObserver();

        using var subscription = filters.Events.Subscribe(observer);

        Assert.That(observer.Events, Has.Count.EqualTo(2).And.All.StartsWith("+ "));
    }

    [Test]
    public void Apply_ObserverThrows_OtherObserversAreToldAndLaterSetsStillApply()
    {
        var filters = new NodeFilters(NullLoggerFactory.Instance);
        using var throwing = filters.Events.Subscribe(new ThrowingObserver());
        var observer = new RecordingObserver();
        using var subscription = filters.Events.Subscribe(observer);

        Assert.DoesNotThrow(() => filters.Apply(new FiltersMessage { Version = 1, Filters = [Sip] }));
        Assert.DoesNotThrow(() => filters.Apply(new FiltersMessage { Version = 2, Filters = [] }));

        Assert.That(observer.Events, Has.Count.EqualTo(2));
        Assert.That(filters.Events.Current, Is.Empty);
    }

    [Test]
    public void Apply_InvalidFilterInTheSet_IsSkippedAndTheRestTaken()
    {
        var filters = new NodeFilters(NullLoggerFactory.Instance);
        var invalid = Sip with { Module = "Bad_1.0.0", Filter = new FilterSpec { Protocol = FilterProtocol.Udp, Port = 5060, Destinations = [] } };

        filters.Apply(new FiltersMessage { Version = 1, Filters = [invalid, Video] });

        Assert.That(filters.Events.Current.Select(f => f.Module), Is.EqualTo(new[] { Video.Module }));
    }

    [Test]
    public void Dispose_Subscription_IsToldNothingMore()
    {
        var filters = new NodeFilters(NullLoggerFactory.Instance);
        var observer = new RecordingObserver();
        filters.Events.Subscribe(observer).Dispose();

        filters.Apply(new FiltersMessage { Version = 1, Filters = [Sip] });

        Assert.That(observer.Events, Is.Empty);
        Assert.That(filters.Subscribers, Is.Zero);
    }

    private static InstalledFilterSpec Spec(string user, string module, string destination, int port) => new()
    {
        User = user,
        Module = module,
        Filter = new FilterSpec { Protocol = FilterProtocol.Udp, Port = port, Destinations = [Ipv4Prefix.Parse(destination)] },
    };

    private sealed class RecordingObserver : IPacketFilterObserver
    {
        public List<string> Events { get; } = [];

        public void OnFilterAdded(InstalledFilter filter) => Events.Add($"+ {filter.Module} {filter.Filter}");

        public void OnFilterRemoved(InstalledFilter filter) => Events.Add($"- {filter.Module} {filter.Filter}");
    }

    private sealed class ThrowingObserver : IPacketFilterObserver
    {
        public void OnFilterAdded(InstalledFilter filter) => throw new InvalidOperationException("this observer always fails");

        public void OnFilterRemoved(InstalledFilter filter) => throw new InvalidOperationException("this observer always fails");
    }
}
