using System.CommandLine;
using System.Globalization;
using NetServ.Geni.AmApi;
using NetServ.Orchestrator.Experiments;
using NetServ.RSpec;

namespace NetServ.Orchestrator.Commands;

/// <summary>
/// <c>netserv-lab slice create|status|renew|delete|manifest</c>: a slice at a GENI aggregate driven by hand, with the calls
/// <c>run --aggregate</c> makes (<see cref="SliceReservation"/>). Exit 0 done, 1 the aggregate refused or a sliver failed
/// (the message says which and what to do; a create that fails deletes what it reserved), 2 bad arguments, 130 stopped.
/// </summary>
internal static class SliceCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("slice", "A slice at a GENI aggregate, by hand: create (Allocate, Provision, start, wait until ready), status, renew, delete, manifest");
        var rspec = new Argument<string>("rspec") { Description = "the GENI RSpec v3 request file" };
        var sshKey = new Option<string?>("--ssh-key") { Description = "the SSH public key the nodes authorise (default ~/.ssh/id_ed25519.pub, else ~/.ssh/id_rsa.pub)" };
        command.Subcommands.Add(Sub("create", "Allocate, Provision and start the rspec's nodes, wait until every sliver is ready, and print each node's login", [rspec, sshKey], output, error,
            async (result, slice, run, cancellationToken) =>
            {
                if (!ValidateCommand.TryRead(result.GetValue(rspec)!, error, out _))
                {
                    return 2;
                }

                if (PublicKey(result.GetValue(sshKey)) is not { } key)
                {
                    await error.WriteLineAsync("netserv-lab: no SSH public key: give --ssh-key FILE.pub (ssh-keygen makes one)").ConfigureAwait(false);
                    return 2;
                }

                var text = await File.ReadAllTextAsync(result.GetValue(rspec)!, cancellationToken).ConfigureAwait(false);
                try
                {
                    var manifest = await slice.ReserveAsync(text, [new AmUser(run.UserUrn, [key])], run.Polling, new Lines(output), cancellationToken).ConfigureAwait(false);
                    await WriteLoginsAsync(manifest, output).ConfigureAwait(false);
                    await output.WriteLineAsync($"slice {slice.SliceUrn} is ready; netserv-lab slice delete releases it").ConfigureAwait(false);
                    return 0;
                }
                catch (Exception e) when (e is SliceReservationException or AmApiException)
                {
                    // As a run releases what it could not finish reserving: a half-made slice only holds resources.
                    var released = await slice.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
                    await error.WriteLineAsync($"netserv-lab: {e.Message}\n{released.Description}").ConfigureAwait(false);
                    return 1;
                }
            }));
        command.Subcommands.Add(Sub("status", "Each sliver's allocation and operational state, by node", [], output, error,
            async (_, slice, _, cancellationToken) =>
            {
                var status = await slice.Client.StatusAsync([slice.SliceUrn], slice.Credentials, cancellationToken).ConfigureAwait(false);
                var (_, manifest) = await slice.DescribeAsync(cancellationToken).ConfigureAwait(false);
                foreach (var sliver in status.Slivers)
                {
                    var node = manifest.FindNodeOfSliver(sliver.Urn)?.ClientId ?? "?";
                    await output.WriteLineAsync($"{node,-12} {sliver.AllocationStatus,-18} {sliver.OperationalStatus,-16} expires {sliver.Expires?.ToString("u", CultureInfo.InvariantCulture) ?? "?"}{(sliver.Error is { } e ? $"  error: {e}" : string.Empty)}  {sliver.Urn}").ConfigureAwait(false);
                }

                await output.WriteLineAsync(SliceReservation.Summarise(status, manifest)).ConfigureAwait(false);
                return 0;
            }));
        var hours = new Option<double>("--hours") { Description = "hours from now until the slivers expire", DefaultValueFactory = _ => 2 };
        command.Subcommands.Add(Sub("renew", "Extend the slivers until --hours from now", [hours], output, error,
            async (result, slice, _, cancellationToken) =>
            {
                if (result.GetValue(hours) <= 0)
                {
                    await error.WriteLineAsync("netserv-lab: --hours must be positive").ConfigureAwait(false);
                    return 2;
                }

                var renewed = await slice.Client.RenewAsync([slice.SliceUrn], slice.Credentials, DateTimeOffset.UtcNow.AddHours(result.GetValue(hours)), cancellationToken: cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"renewed {renewed.Count} slivers of {slice.SliceUrn} until {renewed.Select(s => s.Expires).Min()?.ToString("u", CultureInfo.InvariantCulture) ?? "?"}").ConfigureAwait(false);
                return 0;
            }));
        command.Subcommands.Add(Sub("delete", "Release the slivers (Delete)", [], output, error,
            async (_, slice, _, cancellationToken) =>
            {
                var outcome = await slice.DeleteAsync(cancellationToken).ConfigureAwait(false);
                await (outcome.Released ? output : error).WriteLineAsync(outcome.Released ? outcome.Description : $"netserv-lab: {outcome.Description}").ConfigureAwait(false);
                return outcome.Released ? 0 : 1;
            }));
        var file = new Option<string?>("--out") { Description = "write the manifest rspec to FILE instead of standard output" };
        command.Subcommands.Add(Sub("manifest", "The slice's manifest rspec (Describe), with each node's login", [file], output, error,
            async (result, slice, _, cancellationToken) =>
            {
                var (described, manifest) = await slice.DescribeAsync(cancellationToken).ConfigureAwait(false);
                if (result.GetValue(file) is { } path)
                {
                    await File.WriteAllTextAsync(path, described.RSpec, cancellationToken).ConfigureAwait(false);
                    await WriteLoginsAsync(manifest, output).ConfigureAwait(false);
                    await output.WriteLineAsync($"manifest written to {path}").ConfigureAwait(false);
                }
                else
                {
                    await output.WriteLineAsync(described.RSpec).ConfigureAwait(false);
                }

                return 0;
            }));
        return command;
    }

    /// <summary>A subcommand with the aggregate options, its action given the slice; a refused call is exit 1 with the client's message.</summary>
    private static Command Sub(
        string name, string description, IEnumerable<Symbol> symbols, TextWriter output, TextWriter error,
        Func<ParseResult, SliceReservation, AggregateRun, CancellationToken, Task<int>> action)
    {
        var geni = new AggregateArguments(aggregateRequired: true);
        var command = new Command(name, description);
        foreach (var symbol in symbols.Concat(geni.All))
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
            }
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            if (geni.Problem(result) is { } problem)
            {
                await error.WriteLineAsync($"netserv-lab: {problem}").ConfigureAwait(false);
                return 2;
            }

            if (await geni.OpenAsync(result, error, error, cancellationToken).ConfigureAwait(false) is not { } opened)
            {
                return 2;
            }

            using var access = opened.Access;
            try
            {
                return await action(result, opened.Run.Slice, opened.Run, cancellationToken).ConfigureAwait(false);
            }
            catch (AmApiException e)
            {
                await error.WriteLineAsync($"netserv-lab: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync("netserv-lab: stopped; what the aggregate made stays until netserv-lab slice delete or its expiry").ConfigureAwait(false);
                return 130;
            }
        });
        return command;
    }

    private static async Task WriteLoginsAsync(ManifestRSpec manifest, TextWriter output)
    {
        foreach (var node in manifest.Nodes)
        {
            var login = node.Logins.Count > 0 ? node.Logins[0] : null;
            var addresses = string.Join(", ", node.Interfaces.SelectMany(i => i.Ips).Select(ip => ip.Address));
            await output.WriteLineAsync(login is null
                ? $"{node.ClientId,-12} no login in the manifest  {addresses}"
                : $"{node.ClientId,-12} ssh -p {login.Port.ToString(CultureInfo.InvariantCulture)} {login.Username ?? "root"}@{login.Hostname}  {addresses}").ConfigureAwait(false);
        }
    }

    /// <summary>The public key in <paramref name="path"/>, or the user's usual one; null when there is none.</summary>
    private static string? PublicKey(string? path)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = path is not null ? [path] : new[] { Path.Combine(home, ".ssh", "id_ed25519.pub"), Path.Combine(home, ".ssh", "id_rsa.pub") };
        return candidates.Where(File.Exists).Select(f => File.ReadAllText(f).Trim()).FirstOrDefault(k => k.Length > 0);
    }

    /// <summary>Reservation steps as lines.</summary>
    private sealed class Lines(TextWriter output) : IProgress<ReservationProgress>
    {
        public void Report(ReservationProgress value) => output.WriteLine(value.Text);
    }
}
