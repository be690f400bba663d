namespace NetServ.Sdk;

/// <summary>What becomes of a packet after a module has processed it.</summary>
public enum PacketVerdict
{
    /// <summary>The packet goes on: to the next module, then back to the kernel (with the module's changes, if any).</summary>
    Accept = 0,

    /// <summary>The packet is discarded; later modules do not see it.</summary>
    Drop = 1,
}
