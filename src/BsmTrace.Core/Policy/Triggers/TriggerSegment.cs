namespace BsmTrace.Policy.Triggers;

/// <summary>Part of one argument: literal text, or a variable substituted when the trigger runs.</summary>
public sealed record TriggerSegment(string? Literal, TriggerVariable? Variable);
