using System.Text.Json.Nodes;

namespace NetServ.Evaluation.Reporting;

/// <summary>The paper's section 9 numbers (Reference/paper-section9.json, embedded), drawn beside ours as a reference.</summary>
internal static class PaperReference
{
    private static readonly Lazy<JsonObject> Document = new(Load);

    /// <summary>The whole reference document.</summary>
    public static JsonObject Json => Document.Value;

    /// <summary>Where the paper's numbers come from (testbed and software).</summary>
    public static string Source => Json["source"]?.GetValue<string>() ?? "NetServ paper, section 9";

    /// <summary>The paper's MLFFR in kpps of configuration <paramref name="key"/> at <paramref name="size"/> bytes, or null (the C loop and sizes it did not measure).</summary>
    public static double? Mlffr(string key, int size) =>
        Json["mlffr_kpps"]?[size.ToString(System.Globalization.CultureInfo.InvariantCulture)]?[key]?.GetValue<double>();

    /// <summary>The delay packets processed by KeepAlive incur over unprocessed packets (µs, section 9.2, Figure 13).</summary>
    public static double? KeepAliveExtraDelayMicroseconds => Json["latency"]?["keepalive_processed_extra_delay_us"]?.GetValue<double>();

    /// <summary>The paper's memory per busy container in MB.</summary>
    public static double? MemoryPerContainerMb => Json["containers"]?["memory_mb_per_container_busy"]?.GetValue<double>();

    private static JsonObject Load()
    {
        using var stream = typeof(PaperReference).Assembly.GetManifestResourceStream("NetServ.Evaluation.Reference.paper-section9.json")
            ?? throw new InvalidOperationException("the embedded paper reference is missing");
        return JsonNode.Parse(stream)!.AsObject();
    }
}
