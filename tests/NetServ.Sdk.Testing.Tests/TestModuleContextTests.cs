namespace NetServ.Sdk.Testing.Tests;

[TestFixture]
public sealed class TestModuleContextTests
{
    [Test]
    public void Time_Advanced_RunsTheModulesTimers()
    {
        using var context = new TestModuleContext();
        var ticks = 0;
        using var timer = context.TimeProvider.CreateTimer(_ => ticks++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        context.Time.Advance(TimeSpan.FromSeconds(3));

        Assert.That(ticks, Is.EqualTo(3));
        Assert.That(context.TimeProvider.GetUtcNow(), Is.EqualTo(TestModuleContext.Start + TimeSpan.FromSeconds(3)));
    }

    [Test]
    public void PacketSender_KeepsWhatTheModuleSends_AndRefusesWhenTold()
    {
        using var context = new TestModuleContext();

        var first = context.PacketSender.TrySend([1, 2, 3]);
        context.Sender.Refuse = true;
        var second = context.PacketSender.TrySend([4]);

        Assert.That((first, second), Is.EqualTo((true, false)));
        Assert.That(context.Sender.Sent, Has.Count.EqualTo(1));
        Assert.That(context.Sender.Sent[0], Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Stop_SignalsModuleStopping()
    {
        using var context = new TestModuleContext();
        Assert.That(context.ModuleStopping.IsCancellationRequested, Is.False);

        context.Stop();

        Assert.That(context.ModuleStopping.IsCancellationRequested, Is.True);
    }

    [Test]
    public void ParseProperties_InvalidText_SaysWhy()
    {
        Assert.That(TestModuleContext.ParseProperties("threshold=10")["threshold"], Is.EqualTo("10"));
        Assert.Throws<ArgumentException>(() => TestModuleContext.ParseProperties("=novalue"));
    }

    [Test]
    public void BuildingBlocks_GivenByTheTest_AreFoundByType_AndAMissingOneNamesItself()
    {
        using var context = new TestModuleContext { BuildingBlocks = new TestBuildingBlocks(new Uri("http://198.18.0.1/")) };

        Assert.That(context.BuildingBlocks.Require<Uri>().Host, Is.EqualTo("198.18.0.1"));
        Assert.That(() => context.BuildingBlocks.Require<Version>(), Throws.InvalidOperationException.With.Message.Contains("Version"));
    }
}
