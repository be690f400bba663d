namespace NetServ.Orchestrator.Quickstart;

/// <summary>Where the quickstart reports what it is doing.</summary>
internal interface IQuickstartReporter
{
    /// <summary>A step starts.</summary>
    void Step(string description);

    /// <summary>A detail of the current step (a message, a command, a count).</summary>
    void Detail(string text);

    /// <summary>Progress of the traffic step.</summary>
    void Traffic(long sent, long total);
}
