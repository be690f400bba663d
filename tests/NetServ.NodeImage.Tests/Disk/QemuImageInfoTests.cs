using NetServ.NodeImage.Disk;

namespace NetServ.NodeImage.Tests.Disk;

public sealed class QemuImageInfoTests
{
    [Test]
    public void Describe_QemuImgJson_GivesFormatAndVirtualSize() =>
        Assert.That(
            QemuImageInfo.Describe("""{ "virtual-size": 1207959552, "filename": "netserv-node-1.0.0.qcow2", "format": "qcow2", "actual-size": 401408000 }"""),
            Is.EqualTo("qcow2, 1208.0 MB as a disk"));

    [TestCase("""{ "filename": "x" }""")]
    [TestCase("qemu-img: Could not open 'x'")]
    public void Describe_WithoutTheFields_SaysSo(string printed) =>
        Assert.That(QemuImageInfo.Describe(printed), Does.StartWith("qemu-img info"));
}
