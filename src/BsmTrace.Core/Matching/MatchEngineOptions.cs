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
    /// Whether the outputs every alert goes to write its records (evidence files, <c>-B</c>). When
    /// false, only the sequences that log to a channel writing records (bsm, json) keep evidence;
    /// the others count the records that matched (<see cref="Alert.OmittedRecords"/>) without
    /// copying them, which nothing would read.
    /// </summary>
    public bool KeepEvidence { get; init; } = true;

    /// <summary>(file system, inode) → path entries remembered for records that carry only an attribute.</summary>
    public int MaxRememberedPaths { get; init; } = 65_536;
}
