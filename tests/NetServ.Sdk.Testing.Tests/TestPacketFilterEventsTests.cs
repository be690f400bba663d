using NetServ.Networking;

namespace NetServ.Sdk.Testing.Tests;

/// <summary>The filter-events block a module author tests with: subscribers hear of filters as a container's would.</summary>
[TestFixture]
public sealed class TestPacketFilterEventsTests
{
    private static readonly InstalledFilter Sip = new("alice", "NetServ.Apps.KeepAlive_1.0.0", new PacketFilter(FilterProtocol.Udp, 5060, [Ipv4Prefix.Parse("198.19.0.0/24")]));

    [Test]
    public void Subscribe_FilterAddedEarlier_IsToldOfItFirst()
    {
        var events = new TestPacketFilterEvents();
        events.Add(Sip);
        var heard = new List<string>();

        using var subscription = events.Subscribe(new Observer(heard));
        events.Remove(Sip);

        Assert.That(heard, Is.EqualTo(new[] { "+ NetServ.Apps.KeepAlive_1.0.0", "- NetServ.Apps.KeepAlive_1.0.0" }));
        Assert.That(events.Current, Is.Empty);
    }

    [Test]
    public void Add_AnObserverThrows_TheOthersAreStillTold()
    {
        var events = new TestPacketFilterEvents();
        var heard = new List<string>();
        using var throwing = events.Subscribe(new Observer(null));
        using var subscription = events.Subscribe(new Observer(heard));

        Assert.DoesNotThrow(() => events.Add(Sip));

        Assert.That(heard, Has.Count.EqualTo(1));
    }

    /// <summary>Records what it hears; without a list, throws as a faulty module would.</summary>
    private sealed class Observer(List<string>? heard) : IPacketFilterObserver
    {
        public void OnFilterAdded(InstalledFilter filter) => Hear($"+ {filter.Module}");

        public void OnFilterRemoved(InstalledFilter filter) => Hear($"- {filter.Module}");

        private void Hear(string what)
        {
            if (heard is null)
            {
                throw new InvalidOperationException("this observer always fails");
            }

            heard.Add(what);
        }
    }
}
