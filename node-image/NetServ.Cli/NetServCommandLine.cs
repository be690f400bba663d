using System.CommandLine;
using NetServ.Cli.Commands;

namespace NetServ.Cli;

/// <summary>The root command; commands write through the invocation's writers so the CLI can run in-process.</summary>
internal static class NetServCommandLine
{
    public static RootCommand CreateRoot(TextReader? input = null)
    {
        var root = new RootCommand("NetServ: program the network by signaling modules onto the nodes on a path")
        {
            AdminCommands.Create(),
            ModuleCommands.Create(),
            KeyCommands.Create(),
            TrafficCommands.Create(),
        };
        foreach (var command in SignalingCommands.Create(input ?? TextReader.Null))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader? input = null, CancellationToken cancellationToken = default) =>
        CreateRoot(input).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
}
