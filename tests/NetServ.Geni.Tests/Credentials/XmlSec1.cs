using System.Diagnostics;

namespace NetServ.Geni.Tests.Credentials;

/// <summary>
/// The xmlsec1 command (Debian package xmlsec1, which ./lab installs), with which GENI tools sign
/// and verify credentials: <c>xmlsec1 --sign --node-id Sig_ref0 --privkey-pem KEY,CERT,ISSUER… FILE</c>
/// and <c>xmlsec1 --verify --node-id Sig_ref0 --trusted-pem ROOT FILE</c>. libxml2 takes <c>xml:id</c>
/// as an ID by itself, so neither needs <c>--id-attr</c>; <c>--enabled-key-data x509</c> keeps
/// verification to certificates (otherwise the template's <c>&lt;KeyValue&gt;</c> is believed as it is).
/// </summary>
internal static class XmlSec1
{
    private static readonly string? Program = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "xmlsec1"))
        .FirstOrDefault(File.Exists);

    /// <summary>Skips the test, saying why, when xmlsec1 is not installed.</summary>
    public static void Require()
    {
        if (Program is null)
        {
            Assert.Ignore("xmlsec1 is not installed (Debian package xmlsec1, installed by ./lab): the interoperability tests need it");
        }
    }

    public static (int ExitCode, string Output) Run(params string[] arguments)
    {
        Require();
        var start = new ProcessStartInfo(Program!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
