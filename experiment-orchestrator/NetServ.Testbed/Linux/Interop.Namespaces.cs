using System.Runtime.InteropServices;

namespace NetServ.Testbed.Linux;

internal static partial class Interop
{
    internal const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    internal static partial int SetNs(int fd, int nstype);
}
