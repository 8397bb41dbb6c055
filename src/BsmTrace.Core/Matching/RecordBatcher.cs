using BsmTrace.Bsm;

namespace BsmTrace.Matching;

/// <summary>
/// Puts records into batches in stream order, and does there what must be
/// done once and in order before records are split among workers: the path
/// of a record that has only an attribute token (from the inode memory), and
/// its zone's id.
/// </summary>
public sealed class RecordBatcher
{
    private readonly ObjectPathMemory? _paths;
    private readonly ZoneInterner _zones = new();
    private long _next;

    /// <param name="rememberedPaths">Capacity of the inode memory; 0 when the policy has no object rules.</param>
    /// <param name="rememberedPathBytes">Bytes the inode memory may take.</param>
    public RecordBatcher(int rememberedPaths, long rememberedPathBytes = long.MaxValue)
    {
        if (rememberedPaths > 0)
            _paths = new ObjectPathMemory(rememberedPaths, rememberedPathBytes);
    }

    public ZoneInterner Zones => _zones;

    /// <summary>Bytes the inode memory takes (any thread).</summary>
    public long RememberedPathBytes => _paths?.Bytes ?? 0;

    /// <summary>Entries the inode memory let go to stay within its count and bytes (any thread).</summary>
    public long RememberedPathEvictions => _paths?.Evictions ?? 0;

    /// <summary>Whether to keep and use the inode memory (only a policy with object rules needs it).</summary>
    public bool RememberPaths { get; set; } = true;

    /// <summary>Records added so far: the index the next record will have in the stream.</summary>
    public long RecordCount => _next;

    /// <summary>The time of the last record added (0 before the first).</summary>
    public long LastRecordSeconds { get; private set; }

    /// <summary>What this side of matching holds now, for a checkpoint at <paramref name="position"/> (the next record not yet read).</summary>
    public ReaderMark Mark(Sources.SourcePosition position) =>
        new(position, _next, LastRecordSeconds, _zones.Names(), _paths?.Export() ?? []);

    /// <summary>Takes a checkpoint's state back: the record count, the zone names with their ids, the inode memory.</summary>
    public void Restore(ReaderMark mark)
    {
        ArgumentNullException.ThrowIfNull(mark);
        _next = mark.NextRecordIndex;
        LastRecordSeconds = mark.LastRecordSeconds;
        _zones.Restore(mark.Zones);
        _paths?.Restore(mark.Paths);
    }

    /// <summary>
    /// Decodes a framed record into <paramref name="batch"/>, which must have room for it; false,
    /// with the first bad token, when it cannot be decoded (it is then not added, and not counted).
    /// </summary>
    public bool TryAdd(RecordBatch batch, in BsmFrame frame, out RecordProblem problem)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
            batch.FirstIndex = _next;
        if (!batch.TryAdd(frame, out int i, out problem))
            return false;
        Added(batch, i);
        return true;
    }

    private void Added(RecordBatch batch, int i)
    {
        _next++;
        ref readonly var record = ref batch.Records[i];
        LastRecordSeconds = record.Seconds;
        if (_paths is not null && RememberPaths && record.HasAttribute)
        {
            if (record.HasPath)
            {
                _paths.Remember(record.FileSystemId, record.Inode, record.Path);
            }
            else if (_paths.Recall(record.FileSystemId, record.Inode) is { } remembered)
            {
                batch.ObjectPaths[i] = remembered;
                batch.HasObjectPath[i] = true;
            }
        }

        if (record.HasZoneName)
            batch.ZoneIds[i] = _zones.Intern(record.ZoneName);
    }
}
