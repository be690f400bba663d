using System.Runtime.InteropServices;
using static NetServ.Netfilter.Native.Interop;

namespace NetServ.Native;

/// <summary>Native calls netservd needs: peer credentials, raw sockets for containers, file ownership.</summary>
internal static partial class Interop
{
    private const int SO_PEERCRED = 17;
    private const int SOL_SOCKET_LEVEL = 1;
    private const int AF_INET = 2;
    private const int SOCK_RAW = 3;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int IPPROTO_RAW = 255;

    [StructLayout(LayoutKind.Sequential)]
    internal struct UCred
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    private static unsafe partial int GetSockOpt(int socket, int level, int name, void* value, uint* length);

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    private static partial int SocketCall(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LChown(string path, uint owner, uint group);

    /// <summary>Who is on the other end of a connected Unix socket.</summary>
    internal static unsafe UCred GetPeerCredentials(SafeHandle socket)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            UCred credentials;
            var length = (uint)sizeof(UCred);
            Check(GetSockOpt((int)socket.DangerousGetHandle(), SOL_SOCKET_LEVEL, SO_PEERCRED, &credentials, &length), "getsockopt(SO_PEERCRED)");
            return credentials;
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <summary>Opens a raw IPv4 socket that sends whole packets (IP_HDRINCL is implied by IPPROTO_RAW).</summary>
    internal static int OpenRawSendSocket() => Check(SocketCall(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW), "socket(AF_INET, SOCK_RAW, IPPROTO_RAW)");

    /// <summary>Gives <paramref name="path"/> (not following links) to <paramref name="uid"/>:<paramref name="gid"/>.</summary>
    internal static void ChangeOwner(string path, int uid, int gid) => Check(LChown(path, (uint)uid, (uint)gid), $"lchown({path})");

    /// <summary>Gives a directory tree to <paramref name="uid"/>:<paramref name="gid"/>.</summary>
    internal static void ChangeOwnerRecursive(string directory, int uid, int gid)
    {
        ChangeOwner(directory, uid, gid);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            ChangeOwner(entry, uid, gid);
        }
    }
}
