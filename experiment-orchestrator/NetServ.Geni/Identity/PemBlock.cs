namespace NetServ.Geni.Identity;

/// <summary>
/// One PEM block with RFC 1421 headers (<c>Proc-Type</c>, <c>DEK-Info</c>), which
/// <see cref="System.Security.Cryptography.PemEncoding"/> does not accept.
/// </summary>
internal sealed record PemBlock(string Label, IReadOnlyDictionary<string, string> Headers, byte[] Data)
{
    /// <summary>Every block in <paramref name="text"/>, in order; text outside blocks is skipped.</summary>
    /// <exception cref="IdentityException">A block has no end or its body is not base64.</exception>
    public static IReadOnlyList<PemBlock> ReadAll(string text)
    {
        var blocks = new List<PemBlock>();
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("-----BEGIN ", StringComparison.Ordinal) || !line.EndsWith("-----", StringComparison.Ordinal))
            {
                continue;
            }

            var label = line["-----BEGIN ".Length..^"-----".Length];
            var end = $"-----END {label}-----";
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var body = new System.Text.StringBuilder();
            var inHeaders = true;
            for (i++; ; i++)
            {
                if (i >= lines.Length)
                {
                    throw new IdentityException($"the PEM block {label} has no end line ({end})");
                }

                line = lines[i].Trim();
                if (line == end)
                {
                    break;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (inHeaders && colon > 0)
                {
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                    continue;
                }

                inHeaders = false;
                body.Append(line);
            }

            try
            {
                blocks.Add(new PemBlock(label, headers, Convert.FromBase64String(body.ToString())));
            }
            catch (FormatException e)
            {
                throw new IdentityException($"the PEM block {label} is not base64: {e.Message}", e);
            }
        }

        return blocks;
    }
}
