using System.Runtime.InteropServices;

namespace NetServ.Netfilter.Native;

/// <summary>A netlink socket descriptor; closing waits until no native call uses it any more.</summary>
internal sealed class SafeNetlinkSocketHandle : SafeHandle
{
    public SafeNetlinkSocketHandle()
        : base(-1, ownsHandle: true)
    {
    }

    internal SafeNetlinkSocketHandle(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => handle == -1;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Interop.Netlink.close((int)handle) == 0;
}
