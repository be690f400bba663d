using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

/// <summary>
/// One boot of the disk image under qemu's TCG (no /dev/kvm here) with OVMF: a throwaway overlay over the image, a seed
/// volume with the test's public key, the guest's sshd forwarded to a loopback port, user networking inside
/// 198.18.0.0/15 and closed to the outside. Dispose kills the qemu it started, by its pid, and removes its folder.
/// </summary>
internal sealed class QemuGuest : IDisposable
{
    public const string OvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    public const string OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _qemu;

    private QemuGuest(Process qemu, string directory, int sshPort)
    {
        _qemu = qemu;
        Directory = directory;
        SshPort = sshPort;
    }

    public string Directory { get; }

    /// <summary>The loopback port forwarded to the guest's port 22.</summary>
    public int SshPort { get; }

    public string ConsoleLog => Path.Combine(Directory, "console.log");

    public static async Task<QemuGuest> BootAsync(string image, string authorizedKey, CancellationToken cancellationToken)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("netserv-disk-boot-").FullName;
        try
        {
            var overlay = Path.Combine(directory, "overlay.qcow2");
            await ExternalTool.RunAsync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", Path.GetFullPath(image), overlay], ToolTimeout, cancellationToken).ConfigureAwait(false);
            var seed = await DiskSeed.CreateAsync(Path.Combine(directory, "seed.img"), authorizedKey, cancellationToken).ConfigureAwait(false);
            var vars = Path.Combine(directory, "OVMF_VARS.fd");
            File.Copy(OvmfVars, vars);
            var port = FreeLoopbackPort();
            var info = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var argument in new[]
            {
                "-accel", "tcg", "-m", "1024", "-smp", "2", "-nographic", "-no-reboot", "-monitor", "none", "-display", "none",
                "-drive", $"if=pflash,format=raw,readonly=on,file={OvmfCode}",
                "-drive", $"if=pflash,format=raw,file={vars}",
                "-drive", $"file={overlay},if=virtio,format=qcow2",
                "-drive", $"file={seed},if=virtio,format=raw,readonly=on",
                "-netdev", $"user,id=n0,net=198.18.100.0/24,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:22",
                "-device", "virtio-net-pci,netdev=n0",
                "-serial", $"file:{Path.Combine(directory, "console.log")}",
            })
            {
                info.ArgumentList.Add(argument);
            }

            var qemu = Process.Start(info) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
            qemu.StandardInput.Close();
            qemu.OutputDataReceived += (_, _) => { };
            qemu.ErrorDataReceived += (_, _) => { };
            qemu.BeginOutputReadLine();
            qemu.BeginErrorReadLine();
            return new QemuGuest(qemu, directory, port);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The end of the guest's serial console, for a failing test's message.</summary>
    public string ConsoleTail(int characters = 4000)
    {
        try
        {
            using var stream = new FileStream(ConsoleLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return text.Length <= characters ? text : text[^characters..];
        }
        catch (IOException e)
        {
            return $"(no console: {e.Message})";
        }
    }

    public bool HasExited => _qemu.HasExited;

    public void Dispose()
    {
        try
        {
            if (!_qemu.HasExited)
            {
                _qemu.Kill();
                _qemu.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            _qemu.Dispose();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
