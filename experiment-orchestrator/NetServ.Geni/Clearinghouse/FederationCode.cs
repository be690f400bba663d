using System.Diagnostics.CodeAnalysis;

namespace NetServ.Geni.Clearinghouse;

/// <summary>
/// The return codes of the GENI Common Federation API v2 (the <c>code</c> of every member and slice
/// authority answer): 0 for success and seven errors, labelled as the API labels them.
/// </summary>
[SuppressMessage("Naming", "CA1707", Justification = "Named as the standard labels them, so that a message and the spec read alike.")]
[SuppressMessage("Design", "CA1028", Justification = "The codes are XML-RPC ints.")]
public enum FederationCode
{
    NONE = 0,
    AUTHENTICATION_ERROR = 1,
    AUTHORIZATION_ERROR = 2,
    ARGUMENT_ERROR = 3,
    DATABASE_ERROR = 4,
    DUPLICATE_ERROR = 5,
    NOT_IMPLEMENTED = 6,
    SERVER_ERROR = 7,
}

/// <summary>What each <see cref="FederationCode"/> means and what a student should do about it.</summary>
public static class FederationCodes
{
    private static readonly Dictionary<FederationCode, (string Meaning, string Advice)> Explanations = new()
    {
        [FederationCode.NONE] = ("the call succeeded", "nothing"),
        [FederationCode.AUTHENTICATION_ERROR] = ("the clearinghouse does not know the certificate you connected with", "use the certificate your portal gave you (CloudLab: \"Download Credentials\" gives cloudlab.pem; the local authority: the PEM `netserv-am init` wrote)"),
        [FederationCode.AUTHORIZATION_ERROR] = ("you may not do this: the slice is someone else's, or your account has no right to it", "use a slice you created or are a member of; on CloudLab, check your project membership in the portal"),
        [FederationCode.ARGUMENT_ERROR] = ("the clearinghouse could not use an argument: an unknown slice or project, or a name it does not accept", "check the slice name (letters, digits and '-', at most 19 characters on CloudLab) and the project name"),
        [FederationCode.DATABASE_ERROR] = ("the clearinghouse's database failed", "try again in a few minutes"),
        [FederationCode.DUPLICATE_ERROR] = ("a slice of that name already exists", "use the existing slice (its credential is given to its owner) or choose another name"),
        [FederationCode.NOT_IMPLEMENTED] = ("the clearinghouse does not implement this call or object type", "use a clearinghouse that does, or the ProtoGENI slice authority"),
        [FederationCode.SERVER_ERROR] = ("the clearinghouse had an internal error", "try again later; if it keeps failing, tell its operators"),
    };

    /// <summary>The standard's label (<c>DUPLICATE_ERROR</c>), or <c>code N</c> for a code it does not define.</summary>
    public static string Label(FederationCode code) => Explanations.ContainsKey(code) ? code.ToString() : $"code {(int)code}";

    public static string Meaning(FederationCode code)
        => Explanations.TryGetValue(code, out var e) ? e.Meaning : $"the clearinghouse answered with code {(int)code}, which the Federation API does not define";

    public static string Advice(FederationCode code)
        => Explanations.TryGetValue(code, out var e) ? e.Advice : "read what the clearinghouse said; ask its operators what the code means";
}
