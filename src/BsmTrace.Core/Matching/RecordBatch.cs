using BsmTrace.Bsm;

namespace BsmTrace.Matching;

/// <summary>
/// A run of records on their way from the reader to the matcher workers:
/// the records' bytes copied into one arena, each record's object path (its
/// own last path, or one remembered for its inode) and zone id. Every worker
/// reads the same batch; none writes it. Batches are reused, so a record costs
/// a copy of its bytes and no allocation.
/// </summary>
public sealed class RecordBatch
{
    private byte[] _arena;
    private int _arenaUsed;

    public RecordBatch(int capacity = 1024, int arenaBytes = 256 * 1024)
    {
        Records = new AuditRecord[capacity];
        ObjectPaths = new ReadOnlyMemory<byte>[capacity];
        HasObjectPath = new bool[capacity];
        ZoneIds = new int[capacity];
        _arena = new byte[arenaBytes];
    }

    public AuditRecord[] Records { get; }

    public ReadOnlyMemory<byte>[] ObjectPaths { get; }

    public bool[] HasObjectPath { get; }

    /// <summary>Interned zone name of each record; 0 for none.</summary>
    public int[] ZoneIds { get; }

    public int Count { get; private set; }

    /// <summary>The index, in the whole stream, of the batch's first record.</summary>
    public long FirstIndex { get; set; }

    public int Capacity => Records.Length;

    public bool IsFull => Count == Records.Length;

    /// <summary>Bytes of records held; a batch is handed on when its arena is full too.</summary>
    public int Bytes => _arenaUsed;

    public bool HasRoomFor(int recordLength) => Count < Records.Length && (_arenaUsed + recordLength <= _arena.Length || _arenaUsed == 0);

    /// <summary>Copies a record into the batch; returns its index in the batch.</summary>
    public int Add(in AuditRecord record)
    {
        int length = record.Raw.Length;
        if (_arenaUsed + length > _arena.Length)
        {
            // Only for the first record of a batch (see HasRoomFor): a record larger than the arena.
            _arena = new byte[Math.Max(length, _arena.Length)];
        }

        var copy = _arena.AsMemory(_arenaUsed, length);
        record.Raw.CopyTo(copy);
        _arenaUsed += length;
        int index = Count++;
        var copied = record.WithRaw(copy, record.Offset);
        Records[index] = copied;
        HasObjectPath[index] = copied.HasPath;
        ObjectPaths[index] = copied.PathMemory;
        ZoneIds[index] = 0;
        return index;
    }

    public void Clear()
    {
        Array.Clear(Records, 0, Count);
        Array.Clear(ObjectPaths, 0, Count);
        Count = 0;
        _arenaUsed = 0;
    }
}
