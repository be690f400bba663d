namespace NetServ.Geni.Identity;

/// <summary>Where the passphrase of an encrypted key comes from. Asked only when the key is encrypted.</summary>
public abstract class PassphraseSource
{
    private protected PassphraseSource()
    {
    }

    /// <summary>Asks <paramref name="prompt"/>, which gets a description of the key (such as its file) to show.</summary>
    public static PassphraseSource FromPrompt(Func<string, string?> prompt) => new Prompt(prompt);

    /// <summary>The first line of a file (a trailing newline is not part of it).</summary>
    public static PassphraseSource FromFile(string path) => new File(path);

    /// <summary>The value of an environment variable.</summary>
    public static PassphraseSource FromEnvironment(string variable) => new Environment(variable);

    /// <summary>Asked on the terminal, not echoed; none when standard input is not a terminal.</summary>
    public static PassphraseSource FromTerminal() => new Prompt(key => ReadFromTerminal($"passphrase of {key}: "));

    /// <summary>A line typed on the terminal after <paramref name="prompt"/> (on standard error), not echoed; null when standard input is not a terminal.</summary>
    public static string? ReadFromTerminal(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(prompt);
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace && typed.Length > 0)
            {
                typed.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return typed.ToString();
    }

    /// <summary>A passphrase the caller already has.</summary>
    public static PassphraseSource FromValue(string passphrase) => new Prompt(_ => passphrase);

    /// <summary>The passphrase, or <see langword="null"/> when there is none to give (the prompt was cancelled).</summary>
    /// <exception cref="IdentityException">The file or variable is not there.</exception>
    internal abstract string? Get(string keyDescription);

    private sealed class Prompt(Func<string, string?> prompt) : PassphraseSource
    {
        internal override string? Get(string keyDescription) => prompt(keyDescription);
    }

    private sealed class File(string path) : PassphraseSource
    {
        internal override string? Get(string keyDescription)
        {
            try
            {
                using var reader = new StreamReader(path);
                return reader.ReadLine() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IdentityException($"cannot read the passphrase of {keyDescription} from {path}: {e.Message}", e);
            }
        }
    }

    private sealed class Environment(string variable) : PassphraseSource
    {
        internal override string? Get(string keyDescription)
            => System.Environment.GetEnvironmentVariable(variable)
               ?? throw new IdentityException($"{keyDescription} is encrypted and the environment variable {variable}, which should hold its passphrase, is not set");
    }
}

/// <summary>An identity that cannot be read: what is wrong, for a person.</summary>
public sealed class IdentityException : Exception
{
    public IdentityException()
    {
    }

    public IdentityException(string message)
        : base(message)
    {
    }

    public IdentityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
