using NetServ.Contracts.Configuration;
using NetServ.Networking;

namespace NetServ.Node.Configuration;

/// <summary>Checks the configuration at start; every message names the field it is about.</summary>
internal static class NodeConfigurationValidator
{
    public static List<string> Validate(NodeConfiguration options)
    {
        const string root = NodeConfiguration.SectionName;
        var errors = new List<string>();
        void Require(bool condition, string field, string message)
        {
            if (!condition)
            {
                errors.Add($"{root}:{field}: {message}");
            }
        }

        Require(IsName(options.NodeName), "NodeName", $"'{options.NodeName}' must be 1-32 letters, digits, '-' or '_'");
        Require(Path.IsPathRooted(options.AdminSocket), "AdminSocket", $"'{options.AdminSocket}' must be an absolute path");
        Require(Path.IsPathRooted(options.RuntimeDirectory), "RuntimeDirectory", $"'{options.RuntimeDirectory}' must be an absolute path");
        Require(Path.IsPathRooted(options.StateDirectory), "StateDirectory", $"'{options.StateDirectory}' must be an absolute path");
        Require(options.DefaultTtlSeconds > 0, "DefaultTtlSeconds", "must be positive");
        Require(options.MaxTtlSeconds >= options.DefaultTtlSeconds, "MaxTtlSeconds", "must be at least DefaultTtlSeconds");
        Require(options.ModuleCache.Directory is null || Path.IsPathRooted(options.ModuleCache.Directory), "ModuleCache:Directory", "must be an absolute path");
        Require(options.ModuleCache.MaxPackageBytes is > 0, "ModuleCache:MaxPackageBytes", "must be positive");
        Require(options.ModuleCache.DownloadTimeoutSeconds > 0, "ModuleCache:DownloadTimeoutSeconds", "must be positive");

        var containers = options.Containers;
        Require(containers.UidBase is >= 1000 and < 2_000_000_000, "Containers:UidBase", "must be an unprivileged uid (1000 or more)");
        Require(containers.QueueBase is >= 0 and <= 65535, "Containers:QueueBase", "must be an NFQUEUE number 0-65535");
        Require(containers.HangTimeoutMs > 0, "Containers:HangTimeoutMs", "must be positive");
        Require(containers.ReaderCpu is null or >= 0 and < 64, "Containers:ReaderCpu", "must be a CPU number");
        Require(containers.BatchSize is > 0 and <= 1024, "Containers:BatchSize", "must be 1-1024");
        Require(containers.QueueMaxLength > 0, "Containers:QueueMaxLength", "must be positive");
        Require(containers.StartTimeoutSeconds > 0, "Containers:StartTimeoutSeconds", "must be positive");
        Require(containers.RequestTimeoutSeconds > 0, "Containers:RequestTimeoutSeconds", "must be positive");
        Require(containers.Landlock is "required" or "optional" or "off", "Containers:Landlock", $"'{containers.Landlock}' must be required, optional or off");
        Require(Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(containers.LogLevel, true, out _), "Containers:LogLevel", $"'{containers.LogLevel}' is not a log level");
        foreach (var (field, path) in new[] { ("Executable", containers.Executable), ("Sandbox", containers.Sandbox), ("Dotnet", containers.Dotnet) })
        {
            Require(path is null || Path.IsPathRooted(path), $"Containers:{field}", $"'{path}' must be an absolute path");
        }

        Require(IsChainName(options.Forwarding.Chain), "Forwarding:Chain", $"'{options.Forwarding.Chain}' must be 1-28 letters, digits, '-' or '_'");
        // The chain lives in the filter table, whose built-in chains are INPUT, FORWARD and OUTPUT.
        Require(options.Forwarding.Hooks.Count > 0, "Forwarding:Hooks", "needs at least one of INPUT, FORWARD, OUTPUT");
        for (var i = 0; i < options.Forwarding.Hooks.Count; i++)
        {
            Require(options.Forwarding.Hooks[i] is "INPUT" or "FORWARD" or "OUTPUT", $"Forwarding:Hooks:{i}", $"'{options.Forwarding.Hooks[i]}' is not a built-in chain of the filter table (INPUT, FORWARD, OUTPUT)");
        }

        var signaling = options.Signaling;
        Require(signaling.Port is >= 1 and <= 65535, "Signaling:Port", $"{signaling.Port} is not a port");
        Require(signaling.Queue is >= 0 and <= 65535, "Signaling:Queue", $"{signaling.Queue} is not an NFQUEUE number 0-65535");
        Require(signaling.QueryTimeoutMs is >= 10 and <= 60_000, "Signaling:QueryTimeoutMs", "must be 10-60000");
        Require(signaling.QueryRetries is >= 0 and <= 50, "Signaling:QueryRetries", "must be 0-50");
        Require(signaling.QueryMaxTimeoutMs >= signaling.QueryTimeoutMs && signaling.QueryMaxTimeoutMs <= 600_000, "Signaling:QueryMaxTimeoutMs", "must be from QueryTimeoutMs to 600000");
        Require(signaling.RetransmitInitialMs is >= 10 and <= 60_000, "Signaling:RetransmitInitialMs", "must be 10-60000");
        Require(signaling.RetransmitMaxMs >= signaling.RetransmitInitialMs && signaling.RetransmitMaxMs <= 600_000, "Signaling:RetransmitMaxMs", "must be from RetransmitInitialMs to 600000");
        Require(signaling.AnsweredRequestsKept is >= 0 and <= 1_000_000, "Signaling:AnsweredRequestsKept", "must be 0-1000000");
        Require(signaling.RoutingStateSeconds is >= 1 and <= 86_400, "Signaling:RoutingStateSeconds", "must be 1-86400");
        Require(signaling.RequestTimeoutSeconds is >= 1 and <= 600, "Signaling:RequestTimeoutSeconds", "must be 1-600");
        Require(signaling.MaxDatagramBytes is >= 576 and <= 65_000, "Signaling:MaxDatagramBytes", "must be 576-65000");
        Require(signaling.RouterAlertValue is >= 0 and <= ushort.MaxValue, "Signaling:RouterAlertValue", "must be 0-65535");

        var reverse = options.ReverseRoutability;
        Require(reverse.Port is >= 1 and <= 65535, "ReverseRoutability:Port", $"{reverse.Port} is not a port");
        Require(reverse.Path is ['/', ..] && Uri.IsWellFormedUriString(reverse.Path, UriKind.Relative), "ReverseRoutability:Path", $"'{reverse.Path}' is not an absolute URL path such as /.well-known/netserv-password");
        Require(reverse.TimeoutMs is >= 100 and <= 60_000, "ReverseRoutability:TimeoutMs", "must be 100-60000");

        Require(options.Users.Count > 0, "Users", "at least one user is needed: a container is preforked per user");
        var names = new HashSet<string>(StringComparer.Ordinal);
        var queues = new HashSet<int>();
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var field = $"Users:{i}";
            Require(IsName(user.Name), $"{field}:Name", $"'{user.Name}' must be 1-32 letters, digits, '-' or '_'");
            Require(names.Add(user.Name), $"{field}:Name", $"'{user.Name}' is configured twice");
            for (var p = 0; p < user.AllowedPrefixes.Count; p++)
            {
                Require(Ipv4Prefix.TryParse(user.AllowedPrefixes[p], out _), $"{field}:AllowedPrefixes:{p}", $"'{user.AllowedPrefixes[p]}' is not an IPv4 prefix such as 198.19.0.0/16");
            }

            for (var p = 0; p < user.AllowedPorts.Count; p++)
            {
                Require(user.AllowedPorts[p] is >= 1 and <= 65535, $"{field}:AllowedPorts:{p}", $"{user.AllowedPorts[p]} is not a port 1-65535");
            }

            Require(user.MemoryLimitMb is >= 32 and <= 1_048_576, $"{field}:MemoryLimitMb", $"{user.MemoryLimitMb} must be 32-1048576 (a .NET container needs at least 32 MB)");
            Require(user.CpuLimit is > 0 and <= 1024, $"{field}:CpuLimit", $"{user.CpuLimit} must be a positive number of cores");
            var queue = user.Queue ?? (containers.QueueBase + i);
            Require(queue is >= 0 and <= 65535, $"{field}:Queue", $"{queue} is not an NFQUEUE number 0-65535");
            Require(queues.Add(queue), $"{field}:Queue", $"queue {queue} is used by another user");
            Require(!options.Signaling.Enabled || queue != options.Signaling.Queue, $"{field}:Queue", $"queue {queue} is the signaling queue (Signaling:Queue)");
            if (user.PublicKey is { Length: > 0 } key)
            {
                Require(NetServ.Signaling.Security.UserPublicKey.TryParse(key, out _, out var keyError), $"{field}:PublicKey", keyError ?? "not a public key");
            }
        }

        return errors;
    }

    private static bool IsName(string? text) =>
        !string.IsNullOrEmpty(text) && text.Length <= 32 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsChainName(string? text) =>
        !string.IsNullOrEmpty(text) && text.Length <= 28 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
