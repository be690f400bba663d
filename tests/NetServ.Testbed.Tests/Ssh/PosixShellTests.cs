using NetServ.Testbed.Linux;
using NetServ.Testbed.Ssh;

namespace NetServ.Testbed.Tests.Ssh;

[TestFixture]
public sealed class PosixShellTests
{
    [TestCase("plain", "plain")]
    [TestCase("/usr/bin/click", "/usr/bin/click")]
    [TestCase("key=value,a:b@c%d+e-f_g.h", "key=value,a:b@c%d+e-f_g.h")]
    [TestCase("", "''")]
    [TestCase("a b", "'a b'")]
    [TestCase("it's", "'it'\\''s'")]
    [TestCase("$HOME", "'$HOME'")]
    [TestCase("*", "'*'")]
    [TestCase("~", "'~'")]
    [TestCase("a\nb", "'a\nb'")]
    [TestCase("\"q\"", "'\"q\"'")]
    public void Quote_AWord_IsQuotedOnlyWhenAShellWouldInterpretIt(string word, string expected)
    {
        Assert.That(PosixShell.Quote(word), Is.EqualTo(expected));
    }

    [Test]
    public async Task CommandLine_RunByAShell_PassesEveryArgumentUnchanged()
    {
        string[] arguments = ["a b", "it's", "$(id)", "`id`", "*", "", "; exit 3", "back\\slash", "new\nline", "~", "-n"];

        var result = await new LocalShell().RunAsync("sh", ["-c", PosixShell.CommandLine("printf", ["[%s]\\n", .. arguments])], TimeSpan.FromSeconds(30));

        Assert.That(result.StandardOutput, Is.EqualTo(string.Concat(arguments.Select(a => $"[{a}]\n"))));
    }

    [TestCase("netserv-no-such-command")]
    [TestCase("not-executable")]
    public async Task CommandLine_ACommandThatCannotRun_ExitsWithTheNotStartedMarker(string file)
    {
        var directory = Directory.CreateTempSubdirectory("netserv-shell-").FullName;
        try
        {
            var notExecutable = Path.Combine(directory, "not-executable");
            File.WriteAllText(notExecutable, "echo ran\n");
            File.SetUnixFileMode(notExecutable, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var path = file == "not-executable" ? notExecutable : file;

            var result = await new LocalShell().RunAsync("sh", ["-c", PosixShell.CommandLine(path, [])], TimeSpan.FromSeconds(30));

            Assert.That(PosixShell.WasNotStarted(result.ExitCode, WithoutProcessGroup(result.StandardError)), Is.True, result.StandardError);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task CommandLine_FirstPrintsThePidTheCommandRunsAs()
    {
        // Under sshd that pid leads the command's process group; here it is the exec'd command's own pid.
        var result = await new LocalShell().RunAsync("sh", ["-c", PosixShell.CommandLine("sh", ["-c", "echo $$"], noInput: true)], TimeSpan.FromSeconds(30));

        Assert.That(result.StandardError, Is.EqualTo(PosixShell.ProcessGroupPrefix + result.StandardOutput));
    }

    [Test]
    public async Task CommandLine_NoInput_GivesTheCommandDevNull()
    {
        var result = await new LocalShell().RunAsync("sh", ["-c", PosixShell.CommandLine("cat", [], noInput: true)], TimeSpan.FromSeconds(30), standardInput: "not this");

        Assert.That(result.StandardOutput, Is.Empty);
    }

    private static string WithoutProcessGroup(string standardError) =>
        standardError.StartsWith(PosixShell.ProcessGroupPrefix, StringComparison.Ordinal) ? standardError[(standardError.IndexOf('\n', StringComparison.Ordinal) + 1)..] : standardError;

    [Test]
    public async Task CommandLine_ACommandThatExitsWith127Itself_IsNotTakenForNotStarted()
    {
        var result = await new LocalShell().RunAsync("sh", ["-c", PosixShell.CommandLine("sh", ["-c", "echo oops >&2; exit 127"])], TimeSpan.FromSeconds(30));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(127));
            Assert.That(PosixShell.WasNotStarted(result.ExitCode, WithoutProcessGroup(result.StandardError)), Is.False);
        }
    }
}
