using NetServ.AggregateManager;

// netserv-am: the local GENI aggregate manager (init makes its authority, serve runs it).
return await AmCommands.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
