namespace BsmTrace.Matching;

/// <summary>What a batch produced, in record order: alerts, triggers to run, and which records matched a state.</summary>
public sealed class BatchResult
{
    public List<Alert> Alerts { get; } = [];

    public List<TriggerRequest> Triggers { get; } = [];

    /// <summary>Batch indices of records that matched any state, ascending, each once.</summary>
    public List<int> MatchedRecords { get; } = [];

    internal void Clear()
    {
        Alerts.Clear();
        Triggers.Clear();
        MatchedRecords.Clear();
    }
}
