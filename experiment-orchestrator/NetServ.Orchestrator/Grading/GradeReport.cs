using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace NetServ.Orchestrator.Grading;

/// <summary>How one scenario went: the points earned and what the student reads about it.</summary>
/// <param name="Name">The scenario's name.</param>
/// <param name="Points">What it is worth.</param>
/// <param name="Earned">What the submission got: all or nothing.</param>
/// <param name="Feedback">The scenario's hint when it failed; empty when it passed.</param>
/// <param name="Measured">What was counted, one line per flow or ping (<c>port 7001: 0 of 100 arrived, expected 0</c>).</param>
internal sealed record ScenarioResult(string Name, int Points, int Earned, IReadOnlyList<string> Measured, string Feedback)
{
    public bool Passed => Earned == Points;
}

/// <summary>A graded submission: the score, each scenario's result, and what went wrong with the module itself.</summary>
internal sealed record GradeReport(string Exercise, string Submission, IReadOnlyList<ScenarioResult> Scenarios, IReadOnlyList<string> Problems, TimeSpan Elapsed)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public int Score => Scenarios.Sum(s => s.Earned);

    public int Total => Scenarios.Sum(s => s.Points);

    /// <summary>The report for a learning-management system: <c>--json</c>.</summary>
    public string ToJson() => new JsonObject
    {
        ["exercise"] = Exercise,
        ["submission"] = Submission,
        ["score"] = Score,
        ["total"] = Total,
        ["scenarios"] = new JsonArray([.. Scenarios.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["points"] = s.Points,
            ["earned"] = s.Earned,
            ["passed"] = s.Passed,
            ["measured"] = new JsonArray([.. s.Measured.Select(m => (JsonNode?)JsonValue.Create(m))]),
            ["feedback"] = s.Feedback,
        })]),
        ["problems"] = new JsonArray([.. Problems.Select(p => (JsonNode?)JsonValue.Create(p))]),
        ["seconds"] = Math.Round(Elapsed.TotalSeconds, 1),
    }.ToJsonString(Indented);

    /// <summary>The report as a student reads it.</summary>
    public void Write(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Title($"{Markup.Escape(Exercise)}: {Markup.Escape(Path.GetFileName(Submission))}").AddColumns("scenario", "points", "feedback");
        foreach (var s in Scenarios)
        {
            var lines = string.Join('\n', s.Measured.Append(s.Feedback).Where(l => l.Length > 0));
            table.AddRow(
                new Markup($"{(s.Passed ? "[green]✓[/]" : "[red]✗[/]")} {Markup.Escape(s.Name)}"),
                new Text(string.Create(CultureInfo.InvariantCulture, $"{s.Earned}/{s.Points}")),
                new Text(lines));
        }

        console.Write(table);
        foreach (var problem in Problems)
        {
            console.MarkupLineInterpolated($"[yellow]![/] {problem}");
        }

        console.MarkupLineInterpolated($"score: [bold]{Score}/{Total}[/] ({Elapsed.TotalSeconds:0} s)");
    }
}
