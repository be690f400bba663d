using System.CommandLine;
using NetServ.Cli.Commands;

// netserv: the command line of NetServ users and node operators.
var root = new RootCommand("NetServ: program the network by signaling modules onto the nodes on a path")
{
    AdminCommands.Create(),
    ModuleCommands.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
