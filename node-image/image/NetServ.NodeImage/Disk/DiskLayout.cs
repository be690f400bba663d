using System.Globalization;
using System.Text;

namespace NetServ.NodeImage.Disk;

/// <summary>
/// Where the EFI system partition and the root filesystem sit on the disk: a GPT, both partitions aligned to
/// 1 MiB, and 1 MiB at the end for the backup GPT. Pure arithmetic, so the sfdisk script is testable apart from sfdisk.
/// </summary>
internal sealed record DiskLayout(long EspOffset, long EspSize, long RootOffset, long RootSize, long TotalSize)
{
    public const long Alignment = 1024 * 1024;
    public const int SectorSize = 512;
    public const string EspType = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

    /// <summary>The root partition type of x86-64 in the Discoverable Partitions Specification.</summary>
    public const string RootType = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";

    public static DiskLayout Create(long espSize, long rootSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(espSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rootSize);
        var esp = AlignUp(espSize);
        var root = AlignUp(rootSize);
        return new DiskLayout(Alignment, esp, Alignment + esp, root, Alignment + esp + root + Alignment);
    }

    public static long AlignUp(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

    /// <summary>
    /// The root filesystem's size for a tree of <paramref name="usedBytes"/> (file contents rounded up to blocks, plus
    /// inodes): a fifth more for ext4's metadata and journal, and <paramref name="freeBytes"/> for the node's state.
    /// </summary>
    public static long RootSizeFor(long usedBytes, long freeBytes) => AlignUp(usedBytes + (usedBytes / 5) + freeBytes);

    /// <summary>The script <c>sfdisk</c> reads to write this layout's GPT.</summary>
    public string SfdiskScript()
    {
        var text = new StringBuilder();
        text.Append("label: gpt\nunit: sectors\n");
        AppendPartition(text, EspOffset, EspSize, EspType, "esp");
        AppendPartition(text, RootOffset, RootSize, RootType, "netserv-root");
        return text.ToString();
    }

    private static void AppendPartition(StringBuilder text, long offset, long size, string type, string name) =>
        text.Append(CultureInfo.InvariantCulture, $"start={offset / SectorSize}, size={size / SectorSize}, type={type}, name=\"{name}\"\n");
}
