using System.Runtime.InteropServices;

namespace NetServ.Testbed.Linux;

internal static partial class Interop
{
    internal const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
