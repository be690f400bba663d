using System.CommandLine;

namespace NetServ.AggregateManager;

/// <summary>
/// The command line of netserv-am: <c>init</c> (a local authority and a first user), <c>serve</c> (the AM API v3
/// over HTTPS) and <c>credential</c> (a slice credential for a client). Exit codes: 0 ok, 1 failed, 2 bad arguments, 130 stopped before it was up.
/// </summary>
internal static class AmCommands
{
    /// <summary>Where init writes and serve reads when <c>--dir</c> is not given.</summary>
    public static string DefaultDirectory
        => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".netserv-am");

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("netserv-am: a GENI aggregate manager (AM API v3) on this machine, its nodes containers of the NetServ node image")
        {
            InitCommand.Create(output, error),
            ServeCommand.Create(output, error),
            CredentialCommand.Create(output, error),
        };

        // serve tears its slices' containers down on Ctrl-C and SIGTERM; that takes a few seconds.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(120), Output = output, Error = error };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return 2;
        }

        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }

    public static Option<string> DirectoryOption() => new("--dir")
    {
        Description = $"The local authority's directory (default {DefaultDirectory})",
        DefaultValueFactory = _ => DefaultDirectory,
    };
}
