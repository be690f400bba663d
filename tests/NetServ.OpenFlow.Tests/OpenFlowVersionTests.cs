namespace NetServ.OpenFlow.Tests;

public sealed class OpenFlowVersionTests
{
    [TestCase(4, 0x10u, TestName = "TryNegotiate_BitmapWith13Only_Gives13")]
    [TestCase(4, 0x12u, TestName = "TryNegotiate_OpenVSwitchBitmap10And13_Gives13")]
    [TestCase(6, 0x7eu, TestName = "TryNegotiate_BitmapUpTo15_Gives13")]
    public void TryNegotiate_CommonVersion13_Succeeds(int headerVersion, uint bitmap)
    {
        Assert.That(OpenFlowVersion.TryNegotiate(new HelloMessage(1, (byte)headerVersion, bitmap), out var version, out var error), Is.True, error.ToString());
        Assert.That(version, Is.EqualTo(OpenFlowConstants.Version13));
    }

    [Test]
    public void TryNegotiate_NoBitmapHigherHeaderVersion_Gives13()
    {
        Assert.That(OpenFlowVersion.TryNegotiate(new HelloMessage(1, 5, null), out var version, out _), Is.True);
        Assert.That(version, Is.EqualTo(OpenFlowConstants.Version13));
    }

    [Test]
    public void TryNegotiate_OpenFlow10OnlyPeer_IsIncompatibleVersionNamingBothSides()
    {
        Assert.That(OpenFlowVersion.TryNegotiate(new HelloMessage(1, OpenFlowConstants.Version10, null), out var version, out var error), Is.False);
        Assert.Multiple(() =>
        {
            Assert.That(version, Is.Zero);
            Assert.That(error.Kind, Is.EqualTo(OpenFlowErrorKind.IncompatibleVersion));
            Assert.That(error.Reason, Does.Contain("OpenFlow 1.0 (0x01)").And.Contain("1.3 (0x04) only"));
        });
    }

    [Test]
    public void TryNegotiate_BitmapWithout13_IsIncompatibleVersion()
    {
        Assert.That(OpenFlowVersion.TryNegotiate(new HelloMessage(1, 6, 0x60), out _, out var error), Is.False);
        Assert.That(error.Kind, Is.EqualTo(OpenFlowErrorKind.IncompatibleVersion));
        Assert.That(error.Reason, Does.Contain("OpenFlow 1.4 (0x05), OpenFlow 1.5 (0x06)"));
    }
}
