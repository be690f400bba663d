using System.Globalization;
using Microsoft.Extensions.Logging;

namespace NetServ.Container.Hosting;

/// <summary>The command line of netserv-container, as netservd writes it.</summary>
internal sealed class ContainerOptions
{
    public const string Usage =
        "usage: netserv-container --user NAME --control SOCKET --queue N [--no-module-layer] [--reader-cpu K]\n" +
        "                         [--hang-timeout-ms MS] [--batch N] [--queue-max-length N] [--log-level LEVEL]\n" +
        "Started by netservd, one per NetServ user; not meant to be run by hand.";

    public required string User { get; init; }

    public required string ControlSocket { get; init; }

    public required ushort Queue { get; init; }

    public bool NoModuleLayer { get; init; }

    public int? ReaderCpu { get; init; }

    public TimeSpan HangTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public int BatchSize { get; init; } = 64;

    public uint QueueMaxLength { get; init; } = 4096;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public static bool TryParse(IReadOnlyList<string> args, out ContainerOptions? options, out string? error)
    {
        options = null;
        error = null;
        string? user = null, control = null;
        ushort? queue = null;
        var noModuleLayer = false;
        int? readerCpu = null;
        var hang = 1000;
        var batch = 64;
        uint maxLength = 4096;
        var level = LogLevel.Information;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--no-module-layer")
            {
                noModuleLayer = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return false;
            }

            var value = args[++i];
            var ok = name switch
            {
                "--user" => Set(ref user, value),
                "--control" => Set(ref control, value),
                "--queue" => ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var q) && Set(ref queue, q),
                "--reader-cpu" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && Set(ref readerCpu, c),
                "--hang-timeout-ms" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out hang) && hang > 0,
                "--batch" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out batch) && batch is > 0 and <= 1024,
                "--queue-max-length" => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out maxLength) && maxLength > 0,
                "--log-level" => Enum.TryParse(value, ignoreCase: true, out level),
                _ => false,
            };
            if (!ok)
            {
                error = $"unknown option or bad value: {name} {value}";
                return false;
            }
        }

        if (user is null || control is null || queue is null)
        {
            error = "--user, --control and --queue are required";
            return false;
        }

        options = new ContainerOptions
        {
            User = user,
            ControlSocket = control,
            Queue = queue.Value,
            NoModuleLayer = noModuleLayer,
            ReaderCpu = readerCpu,
            HangTimeout = TimeSpan.FromMilliseconds(hang),
            BatchSize = batch,
            QueueMaxLength = maxLength,
            LogLevel = level,
        };
        return true;
    }

    private static bool Set<T>(ref T? field, T value)
    {
        field = value;
        return true;
    }
}
