using NetServ.Testbed.Linux;

namespace NetServ.Testbed.Tests.Linux;

/// <summary>Output kept up to a limit, as commands run locally and over SSH capture it.</summary>
[TestFixture]
public sealed class CapturedTextTests
{
    [Test]
    public async Task AppendAllAsync_ReadsUntilTheEnd_InMoreThanOneRead()
    {
        var text = new string('x', 10_000) + "end";
        var captured = new CapturedText(limit: 20_000);

        await captured.AppendAllAsync(new StringReader(text));

        Assert.That(captured.ToString(), Is.EqualTo(text));
    }

    [Test]
    public async Task AppendAllAsync_PastTheLimit_KeepsTheLimitAndMarksTheCut()
    {
        var captured = new CapturedText(limit: 5);

        await captured.AppendAllAsync(new StringReader("abcdefgh"));

        Assert.That(captured.ToString(), Is.EqualTo("abcde\n[cut at 5 characters]"));
    }

    [Test]
    public async Task AppendAllAsync_OfAStreamClosedUnderIt_KeepsWhatWasRead()
    {
        var captured = new CapturedText(limit: 100);
        captured.Append("before");
        var stream = new MemoryStream("after"u8.ToArray());
        using var reader = new StreamReader(stream);
        await stream.DisposeAsync();

        await captured.AppendAllAsync(reader);

        Assert.That(captured.ToString(), Is.EqualTo("before"));
    }
}
