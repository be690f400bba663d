namespace NetServ.Cli.Tests.Commands;

/// <summary>One in-process run of the netserv command line: its exit code and what it wrote.</summary>
internal sealed record CliRun(int Exit, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await NetServCommandLine.RunAsync(args, output, error);
        return new CliRun(exit, output.ToString(), error.ToString());
    }
}
