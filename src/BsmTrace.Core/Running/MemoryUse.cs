namespace BsmTrace.Running;

/// <summary>One budgeted part of the run's memory: what it holds now and what it may hold, in bytes (the sink queues' budget is per output).</summary>
public sealed record MemoryUse(string Part, long Bytes, long BudgetBytes);
