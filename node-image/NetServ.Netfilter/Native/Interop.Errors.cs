using System.ComponentModel;
using System.Runtime.InteropServices;

namespace NetServ.Netfilter.Native;

/// <summary>
/// Native calls shared by the NFQUEUE path and the node's programs. One file per native area; errno becomes
/// an exception naming the call. netservd, netserv-container and the testbed keep an Interop class of their
/// own for the calls only they make (a partial class cannot span assemblies).
/// </summary>
internal static partial class Interop
{
    internal const string Libc = "libc";

    /// <summary>Throws a <see cref="Win32Exception"/> carrying errno and the name of the failed call.</summary>
    internal static Exception ErrorFor(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new Win32Exception(errno, $"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    /// <summary>Returns <paramref name="result"/>, or throws when it is negative.</summary>
    internal static int Check(int result, string call) => result < 0 ? throw ErrorFor(call) : result;

    /// <summary>Returns <paramref name="result"/>, or throws when it is negative.</summary>
    internal static nint Check(nint result, string call) => result < 0 ? throw ErrorFor(call) : result;

    internal static class Errno
    {
        internal const int EINTR = 4;
        internal const int EAGAIN = 11;
        internal const int ENOBUFS = 105;
        internal const int ENOENT = 2;
    }
}
