using NetServ.Orchestrator;

// netserv-lab: runs experiments on a testbed (the quickstart now; the evaluation next).
return await LabCommands.RunAsync(args, Console.Out).ConfigureAwait(false);
