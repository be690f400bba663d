using NetServ.Container.Modules;
using NetServ.Sdk;

namespace NetServ.Container.Tests.Modules;

[TestFixture]
public sealed class BuildingBlockRegistryTests
{
    [Test]
    public void Has_NamesAreCaseInsensitive()
    {
        var blocks = new BuildingBlockRegistry();
        blocks.Add(BuildingBlockNames.PacketSender, new Sender());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(blocks.Has("packet-sender"), Is.True);
            Assert.That(blocks.Has("Packet-Sender"), Is.True);
            Assert.That(blocks.Has("server-sockets"), Is.False);
        }
    }

    [Test]
    public void Add_CapabilityWithoutAnObject_IsNamedButNotFound()
    {
        var blocks = new BuildingBlockRegistry();

        blocks.Add(BuildingBlockNames.PacketDispatcher, null);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(blocks.Names, Is.EqualTo(new[] { BuildingBlockNames.PacketDispatcher }));
            Assert.That(blocks.Has(BuildingBlockNames.PacketDispatcher), Is.True);
            Assert.That(blocks.Find<object>(), Is.Null);
        }
    }

    [Test]
    public void Find_ByInterface_ReturnsTheBlockImplementingIt()
    {
        var sender = new Sender();
        var sockets = new ServerSockets();
        var blocks = new BuildingBlockRegistry();
        blocks.Add(BuildingBlockNames.PacketSender, sender);
        blocks.Add(BuildingBlockNames.ServerSockets, sockets);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(blocks.Find<IPacketSender>(), Is.SameAs(sender));
            Assert.That(blocks.Find<IServerSockets>(), Is.SameAs(sockets));
            Assert.That(blocks.Find<HttpClient>(), Is.Null);
            Assert.That(blocks.Names, Is.EquivalentTo(new[] { BuildingBlockNames.PacketSender, BuildingBlockNames.ServerSockets }));
        }
    }

    [Test]
    public void Require_Missing_ThrowsNamingTheType()
    {
        var blocks = new BuildingBlockRegistry();

        var e = Assert.Throws<InvalidOperationException>(() => blocks.Require<IServerSockets>());

        Assert.That(e!.Message, Does.Contain(nameof(IServerSockets)));
    }

    [Test]
    public void Require_Present_ReturnsIt()
    {
        var sender = new Sender();
        var blocks = new BuildingBlockRegistry();
        blocks.Add(BuildingBlockNames.PacketSender, sender);

        Assert.That(blocks.Require<IPacketSender>(), Is.SameAs(sender));
    }

    private sealed class Sender : IPacketSender
    {
        public bool TrySend(ReadOnlySpan<byte> ipv4Packet) => true;
    }
}
