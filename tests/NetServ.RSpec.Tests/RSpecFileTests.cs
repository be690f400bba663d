namespace NetServ.RSpec.Tests;

[TestFixture]
public sealed class RSpecFileTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("rspec-file-tests-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Write_ThenRead_GivesAnEqualRequest()
    {
        var path = Path.Combine(_directory, "every-element.rspec.xml");

        RSpecFile.Write(path, RSpecSamples.EveryElementModel);

        Assert.That(RSpecFile.Read(path), Is.EqualTo(RSpecSamples.EveryElementModel));
    }

    [Test]
    public void Read_InvalidDocument_ThrowsWithThePathLineAndColumn()
    {
        var path = Path.Combine(_directory, "bad.rspec.xml");
        File.WriteAllText(path, $"<rspec xmlns=\"{RSpecSamples.Namespace}\" type=\"request\">\n  <node/>\n</rspec>\n");

        var error = Assert.Throws<RSpecFormatException>(() => RSpecFile.Read(path));

        Assert.That(error!.Message, Does.StartWith($"{path}:2:4: "));
        Assert.That(error.Error!.Kind, Is.EqualTo(RSpecErrorKind.MissingAttribute));
        Assert.That(error.Path, Is.EqualTo(path));
    }

    [Test]
    public void Read_MissingFile_ThrowsIOException()
    {
        Assert.Throws<FileNotFoundException>(() => RSpecFile.Read(Path.Combine(_directory, "absent.rspec.xml")));
    }
}
