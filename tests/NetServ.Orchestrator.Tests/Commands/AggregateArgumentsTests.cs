namespace NetServ.Orchestrator.Tests.Commands;

/// <summary>The options that name an aggregate and the way to the slice credential: what does not go together is refused before anything is called.</summary>
[TestFixture]
public sealed class AggregateArgumentsTests
{
    [TestCase(new[] { "--credential", "c.xml", "--clearinghouse", "local", "--slice", "s" }, "--credential and --clearinghouse are two ways to the slice credential")]
    [TestCase(new[] { "--clearinghouse", "local" }, "--clearinghouse needs --slice NAME")]
    [TestCase(new[] { "--credential", "c.xml", "--slice", "s" }, "--slice goes with --clearinghouse")]
    [TestCase(new[] { "--clearinghouse", "nowhere", "--slice", "s" }, "--clearinghouse: 'nowhere' is neither a known clearinghouse")]
    [TestCase(new string[0], "--aggregate needs the slice credential: --credential FILE")]
    public async Task SliceStatus_WithOptionsThatDoNotGoTogether_ExitsTwoSayingWhy(string[] options, string expected)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LabCommands.RunAsync(["slice", "status", "--aggregate", "local", "--cert", "alice.pem", .. options], output, error);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain(expected));
        Assert.That(output.ToString(), Is.Empty);
    }
}
