namespace NetServ.Orchestrator.Experiments;

/// <summary>Where a run reports what it is doing, phase by phase.</summary>
internal interface IExperimentProgress
{
    /// <summary>A phase starts.</summary>
    void PhaseStarted(ExperimentPhase phase, string description);

    /// <summary>Something the current phase did or found (a node started, a response, a count).</summary>
    void Detail(string text);

    /// <summary>What the current phase is waiting for, shown live where the terminal allows (replaced by the next).</summary>
    void Status(string text);

    /// <summary>A phase ended.</summary>
    void PhaseFinished(PhaseReport report);

    /// <summary>The testbed is held up for interactive work until Ctrl-C; <paramref name="lines"/> say how to enter each node.</summary>
    void Holding(IReadOnlyList<string> lines);
}

/// <summary>Reports nothing (for --json, where only the summary is printed).</summary>
internal sealed class SilentProgress : IExperimentProgress
{
    public void PhaseStarted(ExperimentPhase phase, string description)
    {
    }

    public void Detail(string text)
    {
    }

    public void Status(string text)
    {
    }

    public void PhaseFinished(PhaseReport report)
    {
    }

    public void Holding(IReadOnlyList<string> lines)
    {
    }
}

/// <summary>A writer whose lines become <see cref="IExperimentProgress.Detail"/> lines (what a testbed says while it is realised: a dockerd it starts).</summary>
internal sealed class ProgressWriter(IExperimentProgress progress) : TextWriter
{
    private readonly System.Text.StringBuilder _line = new();

    /// <inheritdoc />
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        if (value == '\n')
        {
            progress.Detail(_line.ToString().TrimEnd('\r'));
            _line.Clear();
        }
        else
        {
            _line.Append(value);
        }
    }
}
