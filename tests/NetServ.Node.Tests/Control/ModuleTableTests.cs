using Microsoft.Extensions.Time.Testing;
using NetServ.Node.Control;
using NetServ.Sdk.Packaging;
using NetServ.Signaling.Nslp;

namespace NetServ.Node.Tests.Control;

/// <summary>The soft-state table on a fake clock: modules expire at their ttl unless refreshed or removed first.</summary>
[TestFixture]
public sealed class ModuleTableTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    [Test]
    public async Task Add_TtlRunsOut_ExpiresExactlyAtTheTtl()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var expired = HandleExpiries(table);
        var record = Record(time, "alice", ControlRig.NetMonitor, Ttl);
        table.Add(record);

        time.Advance(Ttl - Tick);
        Assert.That(expired, Is.Empty, "a tick before the ttl");

        time.Advance(Tick);
        Assert.That(expired, Is.EqualTo(new[] { record }));
        Assert.That(table.Find("alice", ControlRig.NetMonitor), Is.Null);
    }

    [Test]
    public async Task Refresh_BeforeTheTtl_ExpiresATtlAfterTheRefresh()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var expired = HandleExpiries(table);
        var record = Record(time, "alice", ControlRig.NetMonitor, Ttl);
        table.Add(record);

        time.Advance(TimeSpan.FromSeconds(40));
        table.Refresh(record, Ttl);
        time.Advance(Ttl - Tick);

        Assert.That(expired, Is.Empty, "the first ttl has long passed, the refreshed one not yet");
        Assert.That(record.ExpiresAt, Is.EqualTo(ControlRig.Start + TimeSpan.FromSeconds(40) + Ttl));
        time.Advance(Tick);
        Assert.That(expired, Is.EqualTo(new[] { record }));
    }

    [Test]
    public async Task Refresh_WithAShorterTtl_ExpiresSooner()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var expired = HandleExpiries(table);
        var record = Record(time, "alice", ControlRig.NetMonitor, Ttl);
        table.Add(record);

        table.Refresh(record, TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.That(expired, Is.EqualTo(new[] { record }));
    }

    [Test]
    public async Task RemoveAsync_BeforeTheTtl_TakesTheModuleOutAndNothingExpires()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var expired = HandleExpiries(table);
        var record = Record(time, "alice", ControlRig.NetMonitor, Ttl);
        table.Add(record);

        await table.RemoveAsync(record);
        time.Advance(Ttl * 3);

        Assert.That(table.Find("alice", ControlRig.NetMonitor), Is.Null);
        Assert.That(expired, Is.Empty);
    }

    [Test]
    public async Task CheckExpiry_RefreshThatCameWhileTheExpiryWaitedForTheLock_WaitsForTheNewDeadline()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var record = Record(time, "alice", ControlRig.NetMonitor, Ttl);
        var checks = new List<ExpiryCheck>();
        table.Expired = r =>
        {
            // The first time, a SETUP got the user's lock before the expiry did.
            if (checks.Count == 0)
            {
                table.Refresh(r, Ttl);
            }

            checks.Add(table.CheckExpiry(r));
            return Task.CompletedTask;
        };
        table.Add(record);

        time.Advance(Ttl);
        Assert.That(checks, Is.EqualTo(new[] { ExpiryCheck.NotYet }));

        // The re-check waits a few milliseconds past the deadline, for timers that fire early.
        time.Advance(Ttl + TimeSpan.FromMilliseconds(5));

        Assert.That(checks, Is.EqualTo(new[] { ExpiryCheck.NotYet, ExpiryCheck.Due }), "the timer was set again for the rest of the refreshed ttl");
    }

    [Test]
    public async Task CheckExpiry_ModuleReplacedByANewInstall_IsGone()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var old = Record(time, "alice", ControlRig.NetMonitor, Ttl);
        table.Add(old);
        await table.RemoveAsync(old);
        table.Add(Record(time, "alice", ControlRig.NetMonitor, Ttl));

        Assert.That(table.CheckExpiry(old), Is.EqualTo(ExpiryCheck.Gone));
    }

    [Test]
    public async Task RecordsOf_GivesOneUsersModulesInTheOrderTheyWereInstalled()
    {
        var time = new FakeTimeProvider(ControlRig.Start);
        await using var table = new ModuleTable(time);
        var first = Record(time, "alice", ControlRig.NetMonitor, Ttl, table.NextSequence());
        var other = Record(time, "bob", ControlRig.NetMonitor, Ttl, table.NextSequence());
        var second = Record(time, "alice", ControlRig.KeepAlive, Ttl, table.NextSequence());
        table.Add(second);
        table.Add(other);
        table.Add(first);

        Assert.That(table.RecordsOf("alice"), Is.EqualTo(new[] { first, second }));
    }

    /// <summary>Handles expiries as the controller does, short of the uninstall: asks the table, then takes the module out.</summary>
    private static List<ModuleRecord> HandleExpiries(ModuleTable table)
    {
        var expired = new List<ModuleRecord>();
        table.Expired = async record =>
        {
            if (table.CheckExpiry(record) == ExpiryCheck.Due)
            {
                expired.Add(record);
                await table.RemoveAsync(record);
            }
        };
        return expired;
    }

    private static ModuleRecord Record(FakeTimeProvider time, string user, string module, TimeSpan ttl, long sequence = 1)
    {
        if (!ModuleName.TryParse(module, out var name, out var error))
        {
            throw new ArgumentException(error, nameof(module));
        }

        var now = time.GetUtcNow();
        return new ModuleRecord
        {
            User = user,
            Name = name,
            Url = new Uri($"http://198.18.0.10/modules/{module}.nupkg"),
            Digest = new string('0', 64),
            Package = new ModulePackageInfo(name.PackageId, name.Version, $"{name.PackageId}.dll", $"{name.PackageId}.Module", [$"{name.PackageId}.dll"]),
            CodeDirectory = $"/var/lib/netserv-test/containers/{user}/modules/{module}",
            DataDirectory = $"/var/lib/netserv-test/containers/{user}/data/{module}",
            Origin = "admin",
            Sequence = sequence,
            InstalledAt = now,
            RefreshedAt = now,
            Ttl = ttl,
        };
    }
}
