namespace BsmTrace.Matching;

/// <summary>A trigger to run: its argv with the record's values substituted, and for which sequence.</summary>
public sealed record TriggerRequest(string Sequence, IReadOnlyList<string> Argv, long RecordIndex);
