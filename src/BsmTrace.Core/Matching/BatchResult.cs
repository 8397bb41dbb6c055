namespace BsmTrace.Matching;

/// <summary>What a batch produced, in record order: alerts, triggers to run, and which records matched a state.</summary>
public sealed class BatchResult
{
    public List<Alert> Alerts { get; } = [];

    public List<TriggerRequest> Triggers { get; } = [];

    /// <summary>Batch indices of records that matched any state, ascending, each once.</summary>
    public List<int> MatchedRecords { get; } = [];

    /// <summary>Patterns that gave up on a record's path, and so counted as matching it (fail closed).</summary>
    public List<PatternFailure> PatternFailures { get; } = [];

    internal void Clear()
    {
        PatternFailures.Clear();
        Alerts.Clear();
        Triggers.Clear();
        MatchedRecords.Clear();
    }
}
