using System.Diagnostics.CodeAnalysis;

namespace NetServ.Geni;

/// <summary>
/// The GENI error codes, <c>code.geni_code</c> of every AM API v3 answer. Values and labels from
/// geni-error-codes.xml (http://groups.geni.net/geni/attachment/wiki/GAPI_AM_API_V2_DETAILS/geni-error-codes.xml,
/// which the v3 page http://groups.geni.net/geni/wiki/GAPI_AM_API_V3/CommonConcepts#ReturnStruct refers to);
/// 18 and up were added after ProtoGENI's original set, 25 by the later geni-tools releases.
/// </summary>
[SuppressMessage("Naming", "CA1707", Justification = "Named as the standard labels them, so that a message and the spec read alike.")]
[SuppressMessage("Design", "CA1028", Justification = "The codes are XML-RPC ints.")]
public enum GeniCode
{
    /// <summary>The server is too busy; try again later (the one negative code).</summary>
    SERVERBUSY = -32001,
    SUCCESS = 0,
    BADARGS = 1,
    ERROR = 2,
    FORBIDDEN = 3,
    BADVERSION = 4,
    SERVERERROR = 5,
    TOOBIG = 6,
    REFUSED = 7,
    TIMEDOUT = 8,
    DBERROR = 9,
    RPCERROR = 10,
    UNAVAILABLE = 11,
    SEARCHFAILED = 12,
    UNSUPPORTED = 13,
    BUSY = 14,
    EXPIRED = 15,
    INPROGRESS = 16,
    ALREADYEXISTS = 17,
    MISSINGARGS = 18,
    OUTOFRANGE = 19,
    CREDENTIAL_INVALID = 20,
    CREDENTIAL_EXPIRED = 21,
    CREDENTIAL_MISMATCH = 22,
    CREDENTIAL_SIGNER_UNTRUSTED = 23,
    VLAN_UNAVAILABLE = 24,
    INSUFFICIENT_BANDWIDTH = 25,
}

/// <summary>What each <see cref="GeniCode"/> means and what a student should do about it.</summary>
public static class GeniCodes
{
    private static readonly Dictionary<GeniCode, (string Meaning, string Advice)> Explanations = new()
    {
        [GeniCode.SERVERBUSY] = ("the aggregate is too busy to take the call", "wait a minute and run the command again"),
        [GeniCode.SUCCESS] = ("the call succeeded", "nothing"),
        [GeniCode.BADARGS] = ("the aggregate could not use the arguments: usually the rspec is malformed or names something the aggregate does not have (an image, a hardware type, a component_manager_id)", "check the rspec (`netserv-lab validate RSPEC` says where it is wrong) and that its component_manager_id is this aggregate's"),
        [GeniCode.ERROR] = ("the aggregate failed for a reason it did not classify", "read what the aggregate said above; if it does not help, try again later and then ask the aggregate's operators (for CloudLab: the cloudlab-users group)"),
        [GeniCode.FORBIDDEN] = ("your credentials do not allow this operation on this slice", "check that the slice credential is for this slice and that you are a member of its project; fetch a fresh slice credential"),
        [GeniCode.BADVERSION] = ("the aggregate does not speak the version asked for (of the rspec or of the AM API)", "write GENI rspec version 3 and use the aggregate's AM API v3 URL (CloudLab's end in /protogeni/xmlrpc/am/3.0)"),
        [GeniCode.SERVERERROR] = ("the aggregate had an internal error", "try again in a few minutes; if it keeps failing, tell the aggregate's operators"),
        [GeniCode.TOOBIG] = ("the request is larger than the aggregate accepts", "ask for fewer nodes or links, or spread the topology over several aggregates"),
        [GeniCode.REFUSED] = ("the aggregate refused the operation, most often because the resources asked for are not free now or a policy forbids them", "ask for fewer or other resources (another hardware type or cluster), or try again later"),
        [GeniCode.TIMEDOUT] = ("the operation timed out inside the aggregate", "try again; Status tells whether the slivers exist"),
        [GeniCode.DBERROR] = ("the aggregate's database failed", "try again in a few minutes"),
        [GeniCode.RPCERROR] = ("the aggregate failed to call another service it depends on", "try again in a few minutes"),
        [GeniCode.UNAVAILABLE] = ("the aggregate is not taking requests now (maintenance or lockdown)", "try again later, or use another aggregate"),
        [GeniCode.SEARCHFAILED] = ("the aggregate does not know the slice or sliver named: it may have expired or been deleted", "check the slice name; if the slice expired, allocate it again"),
        [GeniCode.UNSUPPORTED] = ("the aggregate does not support this operation or option", "leave the option out or use another aggregate (GetVersion lists what it supports)"),
        [GeniCode.BUSY] = ("the slice or the aggregate is busy with another operation", "wait a minute and run the command again"),
        [GeniCode.EXPIRED] = ("the slice or sliver has expired", "create the slice again, and renew it before it expires next time"),
        [GeniCode.INPROGRESS] = ("the operation is still in progress", "wait, then ask for the slice's Status again"),
        [GeniCode.ALREADYEXISTS] = ("the slice already has resources at this aggregate, or the name is taken", "delete the existing slivers first or use another slice name"),
        [GeniCode.MISSINGARGS] = ("an argument the aggregate requires is missing", "this is a bug in the client: report it with the command you ran"),
        [GeniCode.OUTOFRANGE] = ("an argument is outside what the aggregate allows, most often the requested end time", "ask for an earlier end time, or renew in smaller steps"),
        [GeniCode.CREDENTIAL_INVALID] = ("the credential sent is not valid (malformed, badly signed, or of the wrong kind)", "download fresh credentials (cloudlab.pem and the slice credential) and try again"),
        [GeniCode.CREDENTIAL_EXPIRED] = ("a credential sent has expired", "fetch a new slice credential; if your certificate expired, download cloudlab.pem again from the portal"),
        [GeniCode.CREDENTIAL_MISMATCH] = ("the credential does not belong to the certificate you connected with, or is for another slice", "use the credential issued to you for this slice, with the cloudlab.pem it was issued for"),
        [GeniCode.CREDENTIAL_SIGNER_UNTRUSTED] = ("the credential is signed by an authority this aggregate does not trust", "use credentials from an authority the aggregate trusts (for the local netserv-am: the one `netserv-am init` made)"),
        [GeniCode.VLAN_UNAVAILABLE] = ("the VLAN tags asked for are not available (usually a stitching failure between aggregates)", "let the aggregate choose the VLAN tags, or try again later"),
        [GeniCode.INSUFFICIENT_BANDWIDTH] = ("the links ask for more bandwidth than the aggregate has free", "lower the links' capacity or ask for fewer links"),
    };

    /// <summary>Every code the standard defines.</summary>
    public static IReadOnlyCollection<GeniCode> All => Explanations.Keys;

    /// <summary>Whether <paramref name="code"/> is one the standard defines.</summary>
    public static bool IsDefined(int code) => Explanations.ContainsKey((GeniCode)code);

    /// <summary>The standard's label (<c>FORBIDDEN</c>), or <c>code N</c> for a code it does not define.</summary>
    public static string Label(GeniCode code) => Explanations.ContainsKey(code) ? code.ToString() : $"code {(int)code}";

    /// <summary>What the code means, for a student.</summary>
    public static string Meaning(GeniCode code)
        => Explanations.TryGetValue(code, out var e) ? e.Meaning : $"the aggregate answered with code {(int)code}, which the AM API does not define";

    /// <summary>What to do about it.</summary>
    public static string Advice(GeniCode code)
        => Explanations.TryGetValue(code, out var e) ? e.Advice : "read what the aggregate said; ask its operators what the code means";
}
