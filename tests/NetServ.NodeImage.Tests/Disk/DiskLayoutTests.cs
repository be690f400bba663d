using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

public sealed class DiskLayoutTests
{
    private const long MiB = 1024 * 1024;

    [Test]
    public void Create_AlignsPartitionsToMebibytes_AndLeavesRoomForBothGpts()
    {
        var layout = DiskLayout.Create(espSize: (64 * MiB) + 1, rootSize: 700 * MiB);

        Assert.Multiple(() =>
        {
            Assert.That(layout.EspOffset, Is.EqualTo(MiB));
            Assert.That(layout.EspSize, Is.EqualTo(65 * MiB));
            Assert.That(layout.RootOffset, Is.EqualTo(66 * MiB));
            Assert.That(layout.RootSize, Is.EqualTo(700 * MiB));
            Assert.That(layout.TotalSize, Is.EqualTo(767 * MiB), "1 MiB before the ESP for the GPT, 1 MiB after the root for its backup");
        });
    }

    [Test]
    public void SfdiskScript_GivesEachPartitionItsSectorsAndType()
    {
        var script = DiskLayout.Create(64 * MiB, 700 * MiB).SfdiskScript();

        Assert.That(script, Is.EqualTo(
            "label: gpt\nunit: sectors\n" +
            "start=2048, size=131072, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"esp\"\n" +
            "start=133120, size=1433600, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=\"netserv-root\"\n"));
    }

    [Test]
    public void RootSizeFor_AddsAFifthForMetadata_AndTheFreeSpace()
    {
        Assert.That(DiskLayout.RootSizeFor(usedBytes: 500 * MiB, freeBytes: 256 * MiB), Is.EqualTo(856 * MiB));
    }

    [Test]
    public void Create_RefusesAnEmptyPartition()
    {
        Assert.That(() => DiskLayout.Create(0, MiB), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
