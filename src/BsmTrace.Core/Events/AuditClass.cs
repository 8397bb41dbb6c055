namespace BsmTrace.Events;

/// <summary>One line of audit_class(5): a bit mask, its short name and its description.</summary>
public sealed record AuditClass(uint Mask, string Name, string Description);
