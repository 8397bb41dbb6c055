using BsmTrace.Bsm;
using BsmTrace.Unix;

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
        _arena = NewArena(arenaBytes);
    }

    public AuditRecord[] Records { get; }

    public ReadOnlyMemory<byte>[] ObjectPaths { get; }

    public bool[] HasObjectPath { get; }

    /// <summary>Interned zone name of each record; 0 for none.</summary>
    public int[] ZoneIds { get; }

    public int Count { get; private set; }

    /// <summary>The index, in the whole stream, of the batch's first record.</summary>
    public long FirstIndex { get; set; }

    /// <summary>The file (or stream session) the batch's records come from: with a record's offset, its place, which no other record shares.</summary>
    public Sources.SourcePosition? Source { get; set; }

    /// <summary>
    /// The reader's state just after this batch's last record, taken when a checkpoint is wanted:
    /// matched, the batch and it are what a checkpoint holds.
    /// </summary>
    public ReaderMark? Mark { get; set; }

    public int Capacity => Records.Length;

    public bool IsFull => Count == Records.Length;

    /// <summary>Bytes of records held; a batch is handed on when its arena is full too.</summary>
    public int Bytes => _arenaUsed;

    public bool HasRoomFor(int recordLength) => Count < Records.Length && (_arenaUsed + recordLength <= _arena.Length || _arenaUsed == 0);

    /// <summary>
    /// Copies a framed record into the batch and decodes it there, in its slot, so that each
    /// record is built once. Returns false, with the first bad token and nothing added, when the
    /// record cannot be decoded.
    /// </summary>
    public bool TryAdd(in BsmFrame frame, out int index, out RecordProblem problem)
    {
        var copy = Reserve(frame.Bytes.Length);
        frame.Bytes.Span.CopyTo(copy.Span);
        if (!AuditRecord.TryParse(copy, frame.Offset, out Records[Count], out problem))
        {
            Records[Count] = default;
            index = -1;
            return false;
        }

        index = Commit(copy.Length);
        return true;
    }

    /// <summary>Room in the arena for a record of <paramref name="length"/> bytes, not yet counted.</summary>
    private Memory<byte> Reserve(int length)
    {
        if (_arenaUsed + length > _arena.Length)
        {
            // Only for the first record of a batch (see HasRoomFor): a record larger than the arena.
            _arena = NewArena(Math.Max(length, _arena.Length));
        }

        return _arena.AsMemory(_arenaUsed, length);
    }

    /// <summary>
    /// The arena is written before it is read, so it is not cleared; it is pinned and its pages are
    /// mapped in one call rather than faulted in as the first records arrive (see <see cref="PageFaults"/>).
    /// </summary>
    private static byte[] NewArena(int length)
    {
        var arena = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        PageFaults.Populate(arena);
        return arena;
    }

    private int Commit(int length)
    {
        _arenaUsed += length;
        int index = Count++;
        ref readonly var record = ref Records[index];
        HasObjectPath[index] = record.HasPath;
        ObjectPaths[index] = record.PathMemory;
        ZoneIds[index] = 0;
        return index;
    }

    /// <summary>
    /// Empties the batch for reuse. The slots are not cleared: every field of a slot is written when
    /// a record is added (TryParse assigns the whole record, Commit the side arrays), and nothing
    /// reads past <see cref="Count"/>. Clearing them cost a megabyte of writes per batch on the
    /// matcher's thread, and all a stale slot holds on to is this batch's own arena or a path the
    /// inode memory had, until the slot is written again.
    /// </summary>
    public void Clear()
    {
        Count = 0;
        _arenaUsed = 0;
        Mark = null;
    }
}
