using System.Text;

namespace NetServ.Apps.MediaRelay.Tests;

public sealed class ControlRequestTests
{
    [TestCase("ALLOCATE abc@198.18.0.1", true)]
    [TestCase("ALLOCATE abc@198.18.0.1\r\n", true)]
    [TestCase("RELEASE abc@198.18.0.1\n", false)]
    public void TryParse_WellFormedRequest_ReturnsCommandAndCallId(string text, bool allocate)
    {
        var parsed = ControlRequest.TryParse(Encoding.ASCII.GetBytes(text), out var command, out var rawCallId);
        var callId = Encoding.ASCII.GetString(rawCallId);
        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(command, Is.EqualTo(allocate ? ControlCommand.Allocate : ControlCommand.Release));
            Assert.That(callId, Is.EqualTo("abc@198.18.0.1"));
        });
    }

    [TestCase("")]
    [TestCase("ALLOCATE")]
    [TestCase("ALLOCATE ")]
    [TestCase("allocate abc")]
    [TestCase("DELETE abc")]
    [TestCase("ALLOCATE a b")]
    [TestCase("ALLOCATE a\tb")]
    [TestCase(" ALLOCATE abc")]
    public void TryParse_MalformedRequest_ReturnsFalse(string text) =>
        Assert.That(ControlRequest.TryParse(Encoding.ASCII.GetBytes(text), out _, out _), Is.False);

    [Test]
    public void TryParse_CallIdLongerThanLimit_ReturnsFalse() =>
        Assert.That(ControlRequest.TryParse(Encoding.ASCII.GetBytes("ALLOCATE " + new string('x', ControlRequest.MaxCallIdLength + 1)), out _, out _), Is.False);

    [Test]
    public void TryParse_NonAsciiCallId_ReturnsFalse() =>
        Assert.That(ControlRequest.TryParse([.. "ALLOCATE "u8, 0xff, 0x00], out _, out _), Is.False);
}
