namespace BsmTrace.Triggers;

public sealed record TriggerRunnerOptions
{
    /// <summary>Trigger commands running at once, at most.</summary>
    public int MaxConcurrent { get; init; } = 4;

    /// <summary>How long a trigger may run before it is killed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Triggers waiting to run, at most; past it new ones are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 1000;
}
