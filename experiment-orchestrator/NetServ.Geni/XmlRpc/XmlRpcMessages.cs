namespace NetServ.Geni.XmlRpc;

/// <summary>A <c>&lt;methodCall&gt;</c>.</summary>
public sealed record XmlRpcMethodCall(string MethodName, IReadOnlyList<XmlRpcValue> Parameters)
{
    public bool Equals(XmlRpcMethodCall? other)
        => other is not null && MethodName == other.MethodName && Parameters.SequenceEqual(other.Parameters);

    public override int GetHashCode() => MethodName.GetHashCode(StringComparison.Ordinal);
}

/// <summary>A <c>&lt;methodResponse&gt;</c>: a value (<see cref="XmlRpcSuccess"/>) or a fault (<see cref="XmlRpcFault"/>).</summary>
public abstract record XmlRpcResponse
{
    private protected XmlRpcResponse()
    {
    }
}

/// <summary>A response with its one value.</summary>
public sealed record XmlRpcSuccess(XmlRpcValue Value) : XmlRpcResponse;

/// <summary>A <c>&lt;fault&gt;</c>: <c>faultCode</c> and <c>faultString</c>.</summary>
public sealed record XmlRpcFault(int Code, string Message) : XmlRpcResponse
{
    // The codes of "Specification for Fault Code Interoperability" (xmlrpc-epi), which Python's
    // xmlrpc.client and most servers use for failures of the protocol itself.
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParameters = -32602;
    public const int InternalError = -32603;
}
