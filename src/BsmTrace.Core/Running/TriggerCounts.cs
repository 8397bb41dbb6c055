namespace BsmTrace.Running;

/// <summary>Trigger commands by outcome, for the life of the run.</summary>
public readonly record struct TriggerCounts(long Succeeded, long Failed, long TimedOut, long Dropped);
