using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

public sealed class SparseCopyTests
{
    [Test]
    public async Task IntoAsync_WritesThePartitionAtItsOffset_AndLeavesTheRestAlone()
    {
        var directory = Directory.CreateTempSubdirectory("netserv-sparse-").FullName;
        try
        {
            var partition = Path.Combine(directory, "part.img");
            var content = new byte[(3 << 20) + 5];
            content[0] = 1;
            content[^1] = 2; // the last, partial block
            await File.WriteAllBytesAsync(partition, content);
            var disk = Path.Combine(directory, "disk.raw");
            var original = Enumerable.Repeat((byte)0xAA, 6 << 20).ToArray();
            await File.WriteAllBytesAsync(disk, original);

            await SparseCopy.IntoAsync(partition, disk, offset: 1 << 20, CancellationToken.None);

            var written = await File.ReadAllBytesAsync(disk);
            Assert.Multiple(() =>
            {
                Assert.That(written, Has.Length.EqualTo(original.Length), "conv=notrunc");
                Assert.That(written[(1 << 20) - 1], Is.EqualTo(0xAA), "before the offset");
                Assert.That(written[1 << 20], Is.EqualTo(1));
                Assert.That(written[(1 << 20) + content.Length - 1], Is.EqualTo(2));
                Assert.That(written[(1 << 20) + content.Length], Is.EqualTo(0xAA), "after the partition");
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task IntoAsync_PartitionBeyondTheDisk_Throws()
    {
        var directory = Directory.CreateTempSubdirectory("netserv-sparse-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "part.img"), new byte[100]);
            File.WriteAllBytes(Path.Combine(directory, "disk.raw"), new byte[120]);

            await Assert.ThatAsync(() => SparseCopy.IntoAsync(Path.Combine(directory, "part.img"), Path.Combine(directory, "disk.raw"), 50, CancellationToken.None), Throws.ArgumentException);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
