// netserv-eval: the benchmarks of the paper's section 9. See `netserv-eval --help`.
return await NetServ.Evaluation.EvaluationCli.RunAsync(args).ConfigureAwait(false);
