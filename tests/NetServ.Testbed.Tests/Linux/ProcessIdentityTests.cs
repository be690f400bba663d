using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

[TestFixture]
public sealed class ProcessIdentityTests
{
    [Test]
    public void TryParseStartTime_CommandNameWithSpacesAndParentheses_ReadsField22()
    {
        const string stat = "4242 (evil) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654321 1000 10 18446744073709551615";

        Assert.Multiple(() =>
        {
            Assert.That(ProcessIdentity.TryParseStartTime(stat, out var startTime), Is.True);
            Assert.That(startTime, Is.EqualTo(987654321UL));
        });
    }

    [Test]
    public void TryParseStartTime_TruncatedStat_ReturnsFalse() =>
        Assert.That(ProcessIdentity.TryParseStartTime("4242 (x) S 1 2 3", out _), Is.False);

    [Test]
    public void IsAlive_ThisProcess_IsTrueAndFalseForAnotherStartTime()
    {
        var self = ProcessIdentity.Current;

        Assert.Multiple(() =>
        {
            Assert.That(self.Pid, Is.EqualTo(Environment.ProcessId));
            Assert.That(self.IsAlive(), Is.True);
            Assert.That((self with { StartTime = self.StartTime + 1 }).IsAlive(), Is.False, "the same pid started at another time is another process");
        });
    }

    [Test]
    public void TryParse_WhatToStringWrote_IsTheSameIdentity()
    {
        var identity = new ProcessIdentity(123, 456789);

        Assert.Multiple(() =>
        {
            Assert.That(ProcessIdentity.TryParse(identity.ToString(), out var read), Is.True);
            Assert.That(read, Is.EqualTo(identity));
            Assert.That(ProcessIdentity.TryParse("123", out _), Is.False);
            Assert.That(ProcessIdentity.TryParse("-1 5", out _), Is.False);
        });
    }
}
