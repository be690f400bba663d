namespace NetServ.Apps.ActiveCdn.Provider;

/// <summary>What <c>activecdn-provider --help</c> prints, and the message for settings that are missing or wrong.</summary>
internal static class ProviderUsage
{
    public const string Text =
        """
        activecdn-provider: the content provider's origin of ActiveCDN (paper section 6.1). Serves a folder of
        content; a request from a region without an ActiveCDN node is served here, the module is installed on
        the path toward the user with a signed SETUP, and later requests from that region are redirected to it.

        Usage:
          activecdn-provider --Provider:Content=DIR --Provider:User=NAME --Provider:Key=FILE
                             --Provider:ModuleUrl=URL --Provider:ModuleDigest=SHA256 [settings]

        Required:
          --Provider:Content=DIR         the folder whose files are served
          --Provider:User=NAME           the NetServ user the SETUPs are signed as
          --Provider:Key=FILE            that user's private key (netserv keygen)
          --Provider:ModuleUrl=URL       where nodes download the ActiveCDN package
          --Provider:ModuleDigest=SHA256 the package's digest (printed by netserv module pack)
        Optional:
          --Provider:Listen=ADDR:PORT    where the origin listens (default 0.0.0.0:8000)
          --Provider:Origin=URL          the URL nodes fetch content from (default: this server)
          --Provider:RegionPrefixLength=N  users sharing a /N prefix share a deployment (default 24)
          --Provider:CdnPort=PORT        the port ActiveCDN serves on at the nodes (default 8080)
          --Provider:Properties=K=V,...  further module properties (watermark=..., cache size)
          --Provider:TtlSeconds=N        the deployment's ttl (default 600)

        See applications/ActiveCDN/README.md.
        """;

    /// <summary>The message for settings that failed validation: each failure, then how to see the usage.</summary>
    public static string Invalid(IEnumerable<string> failures) =>
        "activecdn-provider: the settings are incomplete or wrong:" + Environment.NewLine
        + string.Join(Environment.NewLine, failures.Select(f => "  " + f)) + Environment.NewLine
        + "give them as --Provider:Name=value (activecdn-provider --help lists them)";
}
