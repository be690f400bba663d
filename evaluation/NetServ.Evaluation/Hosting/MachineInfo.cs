using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using NetServ.Testbed.Linux;

namespace NetServ.Evaluation.Hosting;

/// <summary>The machine a result was measured on, as results.json records it.</summary>
internal static class MachineInfo
{
    public static JsonObject Describe()
    {
        var cpuinfo = ReadOrEmpty("/proc/cpuinfo");
        var model = cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var memTotal = ReadOrEmpty("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var os = ReadOrEmpty("/etc/os-release").Split('\n').FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"');
        var hypervisor = cpuinfo.Contains(" hypervisor", StringComparison.Ordinal);
        return new JsonObject
        {
            ["cpuModel"] = model,
            ["cores"] = Environment.ProcessorCount,
            ["virtualized"] = hypervisor,
            ["memoryGiB"] = memTotal is null ? null : Math.Round(long.Parse(memTotal.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0, 1),
            ["kernel"] = ReadOrEmpty("/proc/sys/kernel/osrelease").Trim(),
            ["os"] = os,
            ["dotnetRuntime"] = RuntimeInformation.FrameworkDescription,
            ["dotnetSdk"] = DotnetSdk(),
            ["hostname"] = Environment.MachineName,
        };
    }

    /// <summary>The 1, 5 and 15 minute load averages: other work on the machine disturbs forwarding measurements.</summary>
    public static string LoadAverage() => string.Join(' ', ReadOrEmpty("/proc/loadavg").Split(' ').Take(3));

    /// <summary>Network namespaces of other runs or tests (ns-*), present while we measure.</summary>
    public static IReadOnlyList<string> ForeignNamespaces(string ownId) =>
        NetworkNamespace.List().Where(n => !n.Contains(ownId, StringComparison.Ordinal)).ToArray();

    private static string? DotnetSdk()
    {
        try
        {
            var result = CommandRunner.Run("dotnet", ["--version"], TimeSpan.FromSeconds(20));
            return result.Succeeded ? result.StandardOutput.Trim() : null;
        }
        catch (CommandFailedException)
        {
            return null;
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
