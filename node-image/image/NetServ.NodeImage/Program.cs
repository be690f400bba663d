using System.CommandLine;
using NetServ.NodeImage.Disk;

// netserv-image: builds the node image's outputs. Usage: netserv-image disk --payload DIR ...
var root = new RootCommand("Build the NetServ node image's outputs") { DiskCommands.Create() };
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
