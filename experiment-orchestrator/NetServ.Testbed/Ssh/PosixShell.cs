using System.Text;

namespace NetServ.Testbed.Ssh;

/// <summary>
/// Command lines for a node's login shell. SSH carries one string that the remote user's shell parses, so a
/// file and its arguments reach the node unchanged only when each is quoted for a POSIX shell.
/// </summary>
internal static class PosixShell
{
    /// <summary>
    /// What the command line prints, alone, on standard error when <c>file</c> is not there to run: the sign that
    /// the command could not be started, as opposed to a command that ran and exited with 127 itself.
    /// </summary>
    public const string NotStartedMarker = "netserv: the command could not be started: not found or not executable";

    /// <summary>
    /// How the command line's first line of standard error starts: it names the command's process group (the login
    /// shell's pid, which sshd made a session leader, and which the command keeps by <c>exec</c>), so the session can kill
    /// the command with its children when the server refuses SSH signals (sshd does for root logins).
    /// </summary>
    public const string ProcessGroupPrefix = "netserv-pgid ";

    /// <summary>The exit code the command line returns when the command could not be started, as a shell does.</summary>
    public const int NotStartedExitCode = 127;

    /// <summary>
    /// <paramref name="word"/> as one word of a POSIX shell: unchanged when it holds only characters no shell
    /// treats specially, otherwise in single quotes (inside which only the single quote itself needs care).
    /// </summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length > 0 && word.AsSpan().IndexOfAnyExcept(SafeCharacters) < 0)
        {
            return word;
        }

        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// The command line that runs <paramref name="file"/> with <paramref name="arguments"/> in place of the login
    /// shell (<c>exec</c>: signals and the exit code are the command's own). It first checks that the command is
    /// there, and when it is not, prints <see cref="NotStartedMarker"/> and exits with <see cref="NotStartedExitCode"/>.
    /// Before all that it prints its process group on standard error (<see cref="ProcessGroupPrefix"/>). With
    /// <paramref name="noInput"/> the command's standard input is /dev/null.
    /// </summary>
    public static string CommandLine(string file, IReadOnlyList<string> arguments, bool noInput = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        ArgumentNullException.ThrowIfNull(arguments);
        var quotedFile = Quote(file);

        // A path is checked as a file the user may execute; a bare name as the shell would look it up.
        var check = file.Contains('/', StringComparison.Ordinal)
            ? $"[ -f {quotedFile} ] && [ -x {quotedFile} ]"
            : $"command -v {quotedFile} >/dev/null 2>&1";
        var line = new StringBuilder("printf '").Append(ProcessGroupPrefix).Append("%s\\n' \"$$\" >&2; ").Append(check)
            .Append(" || { printf '%s\\n' ").Append(Quote(NotStartedMarker)).Append(" >&2; exit ").Append(NotStartedExitCode).Append("; }; exec ")
            .Append(quotedFile);
        foreach (var argument in arguments)
        {
            line.Append(' ').Append(Quote(argument));
        }

        if (noInput)
        {
            line.Append(" </dev/null");
        }

        return line.ToString();
    }

    /// <summary>Whether a command line from <see cref="CommandLine"/> exited because its command could not be started.</summary>
    public static bool WasNotStarted(int exitCode, string standardError) =>
        exitCode == NotStartedExitCode && standardError.TrimEnd('\n') == NotStartedMarker;

    private static readonly System.Buffers.SearchValues<char> SafeCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-");
}
