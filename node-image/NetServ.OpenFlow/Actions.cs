namespace NetServ.OpenFlow;

/// <summary>An action of an instruction or a PACKET_OUT (ofp_action_header and its kinds).</summary>
public abstract record OpenFlowAction;

/// <summary>OFPAT_OUTPUT: send the packet out <paramref name="Port"/>; to the controller, at most <paramref name="MaxLength"/> bytes of it.</summary>
public sealed record OutputAction(uint Port, ushort MaxLength = OpenFlowConstants.ControllerNoBuffer) : OpenFlowAction;

/// <summary>OFPAT_SET_FIELD: rewrite one header field (a single unmasked OXM).</summary>
public sealed record SetFieldAction(Oxm Field) : OpenFlowAction;

/// <summary>Any other action, kept as its type and the bytes after its 4-byte type and length (padding included).</summary>
public sealed record UnparsedAction(ActionType Type, OpenFlowBytes Body) : OpenFlowAction;

/// <summary>An instruction of a FLOW_MOD or a flow statistics entry (ofp_instruction and its kinds).</summary>
public abstract record OpenFlowInstruction;

/// <summary>OFPIT_GOTO_TABLE: continue the pipeline at table <paramref name="TableId"/>.</summary>
public sealed record GotoTableInstruction(byte TableId) : OpenFlowInstruction;

/// <summary>OFPIT_APPLY_ACTIONS: apply the actions at once, in order.</summary>
public sealed record ApplyActionsInstruction(ValueList<OpenFlowAction> Actions) : OpenFlowInstruction;

/// <summary>OFPIT_WRITE_ACTIONS: merge the actions into the packet's action set.</summary>
public sealed record WriteActionsInstruction(ValueList<OpenFlowAction> Actions) : OpenFlowInstruction;

/// <summary>OFPIT_CLEAR_ACTIONS: empty the packet's action set.</summary>
public sealed record ClearActionsInstruction : OpenFlowInstruction;

/// <summary>Any other instruction, kept as its type and the bytes after its 4-byte type and length.</summary>
public sealed record UnparsedInstruction(InstructionType Type, OpenFlowBytes Body) : OpenFlowInstruction;
