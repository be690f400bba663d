using NetServ.Node.Forwarding;

namespace NetServ.Node.Tests.Forwarding;

/// <summary>
/// The filter table in memory: answers -S, -N, -X, -F, -I, -A and -D the way iptables does (exit
/// code 1 and a message when a chain or rule is missing) and records every command.
/// </summary>
internal sealed class FakeIptables : IIptables
{
    private static readonly string[] BuiltIn = ["INPUT", "FORWARD", "OUTPUT"];

    public FakeIptables()
    {
        foreach (var chain in BuiltIn)
        {
            Chains[chain] = [];
        }
    }

    /// <summary>Chain name to its rules, each rule the arguments after the chain name.</summary>
    public Dictionary<string, List<string[]>> Chains { get; } = new(StringComparer.Ordinal);

    public List<string[]> Commands { get; } = [];

    /// <summary>When it returns true for a command, the command fails without effect.</summary>
    public Func<IReadOnlyList<string>, bool> Fails { get; set; } = _ => false;

    public List<string> RulesOf(string chain) => Chains[chain].Select(r => string.Join(' ', r)).ToList();

    public Task<IptablesResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Commands.Add([.. arguments]);
        if (Fails(arguments))
        {
            return Result(1, error: "iptables: simulated failure.\n");
        }

        var chain = arguments.Count > 1 ? arguments[1] : null;
        var exists = chain is not null && Chains.ContainsKey(chain);
        switch (arguments[0])
        {
            case "-S" when exists:
                var lines = new List<string> { BuiltIn.Contains(chain) ? $"-P {chain} ACCEPT" : $"-N {chain}" };
                lines.AddRange(Chains[chain!].Select(r => $"-A {chain} {string.Join(' ', r.Select(Quote))}"));
                return Result(0, string.Join('\n', lines) + "\n");
            case "-N" when !exists:
                Chains[chain!] = [];
                return Result(0);
            case "-N":
                return Result(1, error: "iptables: Chain already exists.\n");
            case "-F" when exists:
                Chains[chain!].Clear();
                return Result(0);
            case "-X" when exists && Chains[chain!].Count == 0 && !IsReferenced(chain!):
                Chains.Remove(chain!);
                return Result(0);
            case "-X" when exists:
                return Result(1, error: "iptables v1.8.9 (nf_tables):  CHAIN_USER_DEL failed (Device or resource busy): chain " + chain + "\n");
            case "-I" when exists:
                Chains[chain!].Insert(int.Parse(arguments[2], System.Globalization.CultureInfo.InvariantCulture) - 1, [.. arguments.Skip(3)]);
                return Result(0);
            case "-A" when exists:
                Chains[chain!].Add([.. arguments.Skip(2)]);
                return Result(0);
            case "-D" when exists:
                var index = Chains[chain!].FindIndex(r => r.SequenceEqual(arguments.Skip(2)));
                if (index < 0)
                {
                    return Result(1, error: "iptables: Bad rule (does a matching rule exist in that chain?).\n");
                }

                Chains[chain!].RemoveAt(index);
                return Result(0);
            default:
                return Result(1, error: $"iptables: No chain/target/match by that name.\n");
        }
    }

    private bool IsReferenced(string chain) =>
        Chains.Values.SelectMany(rules => rules).Any(rule => rule.Length >= 2 && rule[^2] == "-j" && rule[^1] == chain);

    private static string Quote(string word) => word.Contains(' ', StringComparison.Ordinal) ? $"\"{word}\"" : word;

    private static Task<IptablesResult> Result(int exitCode, string output = "", string error = "") =>
        Task.FromResult(new IptablesResult(exitCode, output, error));
}
