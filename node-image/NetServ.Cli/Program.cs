using NetServ.Cli;

// netserv: the command line of NetServ users and node operators.
return await NetServCommandLine.RunAsync(args, Console.Out, Console.Error, input: Console.In).ConfigureAwait(false);
