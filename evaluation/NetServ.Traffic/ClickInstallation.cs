using System.Text.RegularExpressions;
using NetServ.Testbed;
using NetServ.Testbed.Linux;

namespace NetServ.Traffic;

/// <summary>
/// Whether a node has the Click modular router. A binary called <c>click</c> is not enough: Debian's
/// and Ubuntu's <c>click</c> package is an unrelated packaging tool. The Click modular router answers
/// <c>click --version</c> with <c>click (Click) VERSION</c>.
/// </summary>
public sealed partial record ClickInstallation
{
    /// <summary>The executable asked for by default: <c>click</c> on the node's PATH.</summary>
    public const string DefaultExecutable = "click";

    /// <summary>The environment variable that names the Click executable (a path) to ask for instead of <see cref="DefaultExecutable"/>.</summary>
    public const string ExecutableVariable = "NETSERV_CLICK";

    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The node asked.</summary>
    public required string Node { get; init; }

    /// <summary>The executable asked (a name on PATH or a path).</summary>
    public required string Executable { get; init; }

    /// <summary>The Click version, or null when the node has no Click modular router.</summary>
    public string? Version { get; init; }

    /// <summary>Why the node has none (what <c>click --version</c> did instead), or null when it has one.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether the Click modular router is installed.</summary>
    public bool IsInstalled => Version is not null;

    /// <summary>The message for a run that needs Click on a node without it.</summary>
    public string NotInstalledMessage => $"Click modular router not installed on node {Node}; use the paced generator ({Problem})";

    /// <summary>
    /// The executable the programs ask for on a node: the path in <c>NETSERV_CLICK</c> where it is set,
    /// else <see cref="DefaultExecutable"/>.
    /// </summary>
    public static string ConfiguredExecutable =>
        Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } path ? path : DefaultExecutable;

    /// <summary>Asks <paramref name="shell"/>'s node what <paramref name="executable"/> is.</summary>
    /// <exception cref="NodeUnreachableException">The node cannot be reached: that says nothing of its Click.</exception>
    public static ClickInstallation Detect(INodeSession shell, string executable = DefaultExecutable)
    {
        ArgumentNullException.ThrowIfNull(shell);
        ArgumentException.ThrowIfNullOrEmpty(executable);
        CommandResult result;
        try
        {
            // Synchronous, as the generators that ask are: a blocking wait on a session that awaits without a context.
            result = shell.RunAsync(executable, ["--version"], VersionTimeout).GetAwaiter().GetResult();
        }
        catch (CommandFailedException e)
        {
            return new ClickInstallation { Node = shell.NodeName, Executable = executable, Problem = e.Message };
        }

        return FromVersionOutput(shell.NodeName, executable, result);
    }

    /// <summary>Reads what <c>click --version</c> printed and returned.</summary>
    public static ClickInstallation FromVersionOutput(string node, string executable, CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var match = VersionLine().Match(result.StandardOutput);
        if (result.Succeeded && match.Success)
        {
            return new ClickInstallation { Node = node, Executable = executable, Version = match.Groups[1].Value };
        }

        var printed = (result.StandardOutput + result.StandardError).Trim();
        var firstLine = printed.Split('\n', 2)[0].Trim();
        var problem = printed.Length == 0
            ? $"'{executable} --version' exited with {result.ExitCode} and printed nothing"
            : $"'{executable} --version' exited with {result.ExitCode} and printed '{(firstLine.Length > 120 ? firstLine[..120] + "…" : firstLine)}', not 'click (Click) VERSION'";
        return new ClickInstallation { Node = node, Executable = executable, Problem = problem };
    }

    [GeneratedRegex(@"^click \(Click\) (\S+)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex VersionLine();
}

/// <summary>A run needs the Click modular router on a node that does not have it.</summary>
public sealed class ClickNotInstalledException : Exception
{
    public ClickNotInstalledException(ClickInstallation installation)
        : base((installation ?? throw new ArgumentNullException(nameof(installation))).NotInstalledMessage)
    {
        Installation = installation;
    }

    public ClickNotInstalledException()
    {
    }

    public ClickNotInstalledException(string message)
        : base(message)
    {
    }

    public ClickNotInstalledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What detection found, when known.</summary>
    public ClickInstallation? Installation { get; }
}
