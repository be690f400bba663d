using System.ComponentModel;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace NetServ.Testbed.Linux;

/// <summary>
/// A Linux network namespace made by the project (<c>ip netns add</c>). Disposing kills what
/// still runs inside it and deletes it. Each one, and each process started in it, is noted in the
/// run's <see cref="LabRunRecord"/>, so that <see cref="RunReaper"/> removes exactly what a killed run
/// left and never a namespace someone else made.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    /// <summary>Every namespace the project creates starts with this.</summary>
    public const string NamePrefix = "ns-";

    private const string NetnsDirectory = "/var/run/netns";
    private bool _disposed;

    private NetworkNamespace(string name) => Name = name;

    /// <summary>The namespace's name as <c>ip netns</c> knows it.</summary>
    public string Name { get; }

    /// <summary>Whether the namespace is still there (<c>/var/run/netns/&lt;name&gt;</c>): not yet deleted, by this object or by anyone.</summary>
    internal bool Exists => ExistsNamed(Name);

    /// <summary>Whether a namespace called <paramref name="name"/> is there now, made by anyone.</summary>
    internal static bool ExistsNamed(string name) => File.Exists(Path.Combine(NetnsDirectory, name));

    /// <summary>Creates a namespace called <paramref name="name"/> (which must start with <see cref="NamePrefix"/>), with its loopback up.</summary>
    public static NetworkNamespace Create(string name)
    {
        if (!name.StartsWith(NamePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"namespace names start with '{NamePrefix}' so leftovers can be found: '{name}'", nameof(name));
        }

        CommandRunner.RunChecked("ip", "netns", "add", name);
        // Noted once it exists, never before: a record must not name a namespace of someone else's that had the name.
        LabRunRecord.Current.Add(RunResource.Namespace(name));
        var ns = new NetworkNamespace(name);
        try
        {
            ns.Exec("ip", "link", "set", "lo", "up").EnsureSuccess();
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>
    /// Names the network namespace of the process <paramref name="pid"/> (a container's) <paramref name="name"/>
    /// (<c>ip netns attach</c>), so that it is entered and wired like a namespace made here. Deleting the name
    /// kills what runs inside; the namespace itself lives on while the process does.
    /// </summary>
    public static NetworkNamespace Attach(string name, int pid)
    {
        if (!name.StartsWith(NamePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"namespace names start with '{NamePrefix}' so leftovers can be found: '{name}'", nameof(name));
        }

        CommandRunner.RunChecked("ip", "netns", "attach", name, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        LabRunRecord.Current.Add(RunResource.Namespace(name));
        return new NetworkNamespace(name);
    }

    /// <summary>The names of the namespaces on this machine that start with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> List(string prefix = NamePrefix)
    {
        var result = CommandRunner.Run("ip", ["netns", "list"]);
        return result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal))
            .ToArray();
    }

    /// <summary>Kills every process inside the namespace called <paramref name="name"/> and deletes it; nothing happens when it does not exist.</summary>
    public static void Delete(string name)
    {
        if (!ExistsNamed(name))
        {
            return;
        }

        // A namespace lives on while processes use it: kill them first, or `ip netns del` only unlinks the name.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var pids = CommandRunner.Run("ip", ["netns", "pids", name]).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (pids.Length == 0)
            {
                break;
            }

            foreach (var pid in pids)
            {
                CommandRunner.Run("kill", ["-KILL", pid]);
            }

            Thread.Sleep(20);
        }

        CommandRunner.Run("ip", ["netns", "del", name]);
        LabRunRecord.NoteRemoved(RunResource.Namespace(name));
    }

    /// <summary>Runs a command inside the namespace (<c>ip netns exec</c>).</summary>
    public CommandResult Exec(string file, params string[] arguments) =>
        CommandRunner.Run("ip", new[] { "netns", "exec", Name, file }.Concat(arguments));

    /// <summary>Runs a command inside the namespace and throws when it fails.</summary>
    public CommandResult ExecChecked(string file, params string[] arguments) => Exec(file, arguments).EnsureSuccess();

    /// <summary>
    /// Starts a long-running process inside the namespace. The caller owns (and must stop) it.
    /// Only the network namespace changes (nsenter --net): unlike `ip netns exec`, the process keeps
    /// the machine's mounts, so it sees the cgroup hierarchies under /sys/fs/cgroup.
    /// </summary>
    public Process Start(ProcessStartInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var wrapped = new ProcessStartInfo("nsenter")
        {
            RedirectStandardError = info.RedirectStandardError,
            RedirectStandardOutput = info.RedirectStandardOutput,
            RedirectStandardInput = info.RedirectStandardInput,
            UseShellExecute = false,
            WorkingDirectory = info.WorkingDirectory,
        };
        foreach (var (key, value) in info.Environment)
        {
            wrapped.Environment[key] = value;
        }

        wrapped.ArgumentList.Add($"--net={Path.Combine(NetnsDirectory, Name)}");
        wrapped.ArgumentList.Add("--");
        wrapped.ArgumentList.Add(info.FileName);
        foreach (var argument in info.ArgumentList)
        {
            wrapped.ArgumentList.Add(argument);
        }

        var process = Process.Start(wrapped) ?? throw new InvalidOperationException($"could not start {info.FileName} in {Name}");
        // nsenter execs the program: same pid, same start time.
        if (ProcessIdentity.Of(process.Id) is { } identity)
        {
            var resource = RunResource.Process(identity);
            LabRunRecord.Current.Add(resource);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => LabRunRecord.NoteRemoved(resource);
            if (process.HasExited)
            {
                LabRunRecord.NoteRemoved(resource);
            }
        }

        return process;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a thread that has entered the namespace. Sockets created
    /// there stay in the namespace for their whole life, whichever thread uses them later.
    /// </summary>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ObjectDisposedException.ThrowIf(_disposed, this);
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using (var handle = File.OpenHandle(Path.Combine(NetnsDirectory, Name)))
                {
                    if (Interop.SetNs((int)handle.DangerousGetHandle(), Interop.CLONE_NEWNET) != 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        throw new Win32Exception(errno, $"setns({Name}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
                    }
                }

                // The thread ends after the action, so it never runs other work inside the namespace.
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Name}",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"inside namespace {Name}: {failure.Message}", failure);
        }

        return result!;
    }

    /// <summary>Creates a socket that lives in this namespace.</summary>
    public Socket CreateSocket(AddressFamily family, SocketType type, ProtocolType protocol) =>
        Run(() => new Socket(family, type, protocol));

    /// <summary>The MAC address of <paramref name="interfaceName"/> in this namespace (<c>ip -j link show</c>).</summary>
    public System.Net.NetworkInformation.PhysicalAddress GetMacAddress(string interfaceName)
    {
        var output = ExecChecked("ip", "-j", "link", "show", "dev", interfaceName).StandardOutput;
        using var json = System.Text.Json.JsonDocument.Parse(output);
        var text = json.RootElement[0].GetProperty("address").GetString()
            ?? throw new InvalidOperationException($"{interfaceName} in {Name} has no link address");
        return System.Net.NetworkInformation.PhysicalAddress.Parse(text.Replace(':', '-'));
    }

    /// <summary>
    /// Sets Receive Packet Steering of <paramref name="interfaceName"/>'s first receive queue: the CPUs
    /// (a bit mask) whose softirq processes what the interface receives. Written through
    /// <c>ip netns exec</c>, whose /sys is this namespace's.
    /// </summary>
    public void SetReceivePacketSteering(string interfaceName, ulong cpuMask)
    {
        var path = RpsPath(interfaceName);
        ExecChecked("sh", "-c", $"echo {cpuMask:x} > {path}");
        var read = GetReceivePacketSteering(interfaceName);
        if (read != cpuMask)
        {
            throw new InvalidOperationException($"{path} in {Name} reads {read:x} after writing {cpuMask:x}");
        }
    }

    /// <summary>The RPS CPU mask of <paramref name="interfaceName"/>'s first receive queue.</summary>
    public ulong GetReceivePacketSteering(string interfaceName)
    {
        var text = ExecChecked("cat", RpsPath(interfaceName)).StandardOutput.Trim().Replace(",", string.Empty, StringComparison.Ordinal);
        return ulong.Parse(text, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a file under /proc/net as this namespace sees it (for example <c>dev</c> or <c>netfilter/nfnetlink_queue</c>); empty when it does not exist.</summary>
    public string ReadProcNet(string relativePath) =>
        Run(() =>
        {
            // thread-self: the thread that entered the namespace, not the process.
            var path = Path.Combine("/proc/thread-self/net", relativePath);
            return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        });

    /// <summary>Reads a sysctl inside the namespace.</summary>
    public string GetSysctl(string key) => ExecChecked("sysctl", "-n", key).StandardOutput.Trim();

    /// <summary>Sets a sysctl inside the namespace.</summary>
    public void SetSysctl(string key, string value) => ExecChecked("sysctl", "-q", "-w", $"{key}={value}");

    private static string RpsPath(string interfaceName)
    {
        if (interfaceName.Contains('/', StringComparison.Ordinal) || interfaceName.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{interfaceName}' is not an interface name", nameof(interfaceName));
        }

        return $"/sys/class/net/{interfaceName}/queues/rx-0/rps_cpus";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Delete(Name);
    }
}
