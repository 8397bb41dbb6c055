namespace BsmTrace.Alerts;

/// <summary>
/// What became of the alerts given to one sink (by name), for the life of the run, the sinks that
/// reloads retired included: written, failed (the sink threw), or let go (its queue was full and
/// the source could not wait).
/// </summary>
public readonly record struct SinkCounts(string Sink, long Written, long Failures, long Dropped)
{
    public SinkCounts Add(SinkCounts other) => this with
    {
        Written = Written + other.Written,
        Failures = Failures + other.Failures,
        Dropped = Dropped + other.Dropped,
    };
}
