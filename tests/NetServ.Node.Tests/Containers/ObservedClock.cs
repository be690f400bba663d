using Microsoft.Extensions.Time.Testing;

namespace NetServ.Node.Tests.Containers;

/// <summary>
/// A fake clock that lets a test see the timers the code under test sets: a wait starts only once the
/// code gets there, so a test moves time after that, not before.
/// </summary>
internal abstract class ObservedClock(FakeTimeProvider fake) : TimeProvider
{
    public override long TimestampFrequency => fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

    public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

    public override long GetTimestamp() => fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = fake.CreateTimer(callback, state, dueTime, period);
        Created(dueTime);
        return timer;
    }

    public void Advance(TimeSpan by) => fake.Advance(by);

    /// <summary>A timer due in <paramref name="dueTime"/> was set.</summary>
    protected abstract void Created(TimeSpan dueTime);
}
