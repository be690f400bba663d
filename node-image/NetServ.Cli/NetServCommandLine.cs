using System.CommandLine;
using NetServ.Cli.Commands;

namespace NetServ.Cli;

/// <summary>The root command; commands write through the invocation's writers so the CLI can run in-process.</summary>
internal static class NetServCommandLine
{
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("NetServ: program the network by signaling modules onto the nodes on a path")
        {
            AdminCommands.Create(),
            ModuleCommands.Create(),
            KeyCommands.Create(),
            TrafficCommands.Create(),
        };
        foreach (var command in SignalingCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        CreateRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}
