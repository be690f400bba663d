namespace NetServ.Signaling.Nslp;

/// <summary>
/// The REMOVE, PROBE and TRIGGER requests of the paper's Figure 4, built in one place (SETUP has its
/// own typed form, <see cref="ModuleSetup"/>). The node reads them back as
/// <see cref="SetupRequest"/>, <see cref="RemoveRequest"/> and <see cref="ProbeRequest"/>.
/// </summary>
public static class NslpRequests
{
    /// <summary>Uninstalls <paramref name="module"/>.</summary>
    public static NslpRequest Remove(string module)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        return new NslpRequest(NslpMethod.Remove, module);
    }

    /// <summary>A PROBE for a node report (status, capabilities, policies), target <c>*</c>.</summary>
    public static NslpRequest Probe(ProbeKind kind)
    {
        var name = kind switch
        {
            ProbeKind.Status => "status",
            ProbeKind.Capabilities => "capabilities",
            ProbeKind.Policies => "policies",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a module PROBE names its module: use ProbeModule"),
        };
        var request = new NslpRequest(NslpMethod.Probe, "*");
        request.Headers.Add(NslpHeaderNames.Probe, name);
        return request;
    }

    /// <summary>A PROBE asking each node whether it runs <paramref name="module"/>.</summary>
    public static NslpRequest ProbeModule(string module)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        var request = new NslpRequest(NslpMethod.Probe, module);
        request.Headers.Add(NslpHeaderNames.Probe, "module");
        return request;
    }

    /// <summary>
    /// A PROBE of a subject as a user types it: <c>status</c>, <c>capabilities</c> or <c>policies</c>
    /// ask for that report, anything else is a module name.
    /// </summary>
    public static NslpRequest Probe(string subject)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        return subject switch
        {
            "status" => Probe(ProbeKind.Status),
            "capabilities" => Probe(ProbeKind.Capabilities),
            "policies" => Probe(ProbeKind.Policies),
            _ => ProbeModule(subject),
        };
    }

    /// <summary>
    /// Wraps a signed <paramref name="inner"/> request in a TRIGGER (paper section 8): the last NetServ
    /// node on the path sends the inner request back toward the sender, so it acts on the reverse
    /// path. The TRIGGER carries the inner request's user and is signed in turn by the sender.
    /// </summary>
    public static NslpRequest Trigger(NslpRequest inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        var outer = new NslpRequest(NslpMethod.Trigger, NslpRequest.MethodName(inner.Method)) { Body = NslpCodec.Encode(inner) };
        if (inner.Headers[NslpHeaderNames.User] is { } user)
        {
            outer.Headers[NslpHeaderNames.User] = user;
        }

        return outer;
    }
}
