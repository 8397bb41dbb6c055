namespace BsmTrace.Matching;

/// <summary>Limits and parallelism of the matcher.</summary>
public sealed record MatchEngineOptions
{
    /// <summary>Matcher workers; each owns the instances whose keys hash to it.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Live instances at most, in equal shares per worker; past it the oldest are evicted (and counted).</summary>
    public int MaxInstances { get; init; } = 1_000_000;

    /// <summary>Records kept as evidence per instance: the first half and the latest half of those that matched.</summary>
    public int MaxEvidenceRecords { get; init; } = 16;

    /// <summary>
    /// Bytes of evidence all live instances may hold together (in equal shares per worker). Past
    /// it an instance keeps its first records and its latest, giving up the oldest of the latest
    /// to make room, and the records it cannot keep are counted: in the alert's omitted records
    /// and in <see cref="MatchEngine.EvidenceRecordsRefused"/>. The default keeps a flood of the
    /// largest records from taking more than a fraction of the service's memory.
    /// </summary>
    public long EvidenceBudgetBytes { get; init; } = DefaultEvidenceBudgetBytes;

    public const long DefaultEvidenceBudgetBytes = 128L << 20;

    /// <summary>
    /// Whether the outputs every alert goes to write its records (evidence files, <c>-B</c>). When
    /// false, only the sequences that log to a channel writing records (bsm, json) keep evidence;
    /// the others count the records that matched (<see cref="Alert.OmittedRecords"/>) without
    /// copying them, which nothing would read.
    /// </summary>
    public bool KeepEvidence { get; init; } = true;

    /// <summary>(file system, inode) → path entries remembered for records that carry only an attribute.</summary>
    public int MaxRememberedPaths { get; init; } = 65_536;

    /// <summary>Bytes the remembered paths may take; past it the least recently used go, and are counted.</summary>
    public long RememberedPathBudgetBytes { get; init; } = DefaultRememberedPathBudgetBytes;

    public const long DefaultRememberedPathBudgetBytes = 32L << 20;
}
