using System.CommandLine;
using NetServ.Orchestrator.Commands;
using NetServ.Orchestrator.Quickstart;

namespace NetServ.Orchestrator;

/// <summary>
/// The command line of netserv-lab: run, validate, quickstart, clean, grade, tutorial, slice. Exit codes as the netserv CLI's:
/// 0 ok, 1 failed, 2 bad arguments or an invalid rspec, 3 (validate) a valid rspec the local testbed
/// cannot realise, 130 stopped.
/// </summary>
internal static class LabCommands
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        error ??= Console.Error;
        var root = new RootCommand("netserv-lab: NetServ experiments on the local testbed")
        {
            RunCommand.Create(output, error),
            ValidateCommand.Create(output, error),
            QuickstartCommand.Create(output, error),
            CleanCommand.Create(output),
            GradeCommand.Create(output, error),
            TutorialCommand.Create(output, error),
            SliceCommand.Create(output, error),
        };

        // Runs handle Ctrl-C and SIGTERM themselves: release must finish, however long it takes.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, Output = output, Error = error };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            return 2;
        }

        return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
