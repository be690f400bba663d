namespace NetServ.Signaling.Nslp;

/// <summary>The NetServ NSLP request methods (paper section 4.1, and TRIGGER of section 8).</summary>
public enum NslpMethod
{
    /// <summary>Install a module on every NetServ node on the path.</summary>
    Setup,

    /// <summary>Uninstall a module.</summary>
    Remove,

    /// <summary>Ask the nodes for status, capabilities, policies or a module's state.</summary>
    Probe,

    /// <summary>Carry a SETUP or PROBE to the last node, which sends it back upstream.</summary>
    Trigger,
}
