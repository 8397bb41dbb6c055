namespace BsmTrace.Events;

/// <summary>One line of audit_event(5): the event number, its AUE_ name, its description and the classes it belongs to.</summary>
public sealed record AuditEvent(ushort Number, string Name, string Description, uint ClassMask);
