namespace NetServ.RSpec.Tests;

/// <summary>Files of the repository the tests read: the request documents under rspecs/ and the corpus beside these tests.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding NetServ.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The corpus of minimal documents in the shapes real requests take (tests/NetServ.RSpec.Tests/Corpus).</summary>
    public static string Corpus { get; } = Path.Combine(Root, "tests", "NetServ.RSpec.Tests", "Corpus");

    /// <summary>The corpus document called <paramref name="name"/>.</summary>
    public static string CorpusDocument(string name) => File.ReadAllText(Path.Combine(Corpus, name));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "NetServ.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no NetServ.sln above {AppContext.BaseDirectory}");
    }
}
