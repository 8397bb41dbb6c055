namespace BsmTrace.Matching;

/// <summary>
/// Remembers the last path seen for each (file system id, inode), so that a
/// record with an attribute token but no path (fchmod, ftruncate, fstat…) still
/// has an object. Bounded by entries and by bytes (a path may be 30 KB: a count
/// alone let 65,536 of them take 2 GB): the least recently used go first, and
/// each one that goes is counted. Used by
/// the one thread that batches records, in record order, so that every worker
/// sees the same paths.
/// </summary>
/// <remarks>
/// Looked up for every record with an attribute token, on the reader's thread,
/// which bounds a trail's throughput. The recency order is therefore kept in an
/// array of entries linked by index, not in a <see cref="LinkedList{T}"/>: moving
/// an entry to the front writes a few ints instead of four object references
/// (each through the collector's write barrier), and a new file costs one
/// array for its path instead of a node, an entry and the array.
/// </remarks>
public sealed class ObjectPathMemory
{
    private const int None = -1;

    /// <summary>
    /// What an entry costs beside its path's bytes: the path array's header, the table's entry,
    /// the entry itself. An estimate, so that many short paths count as well as a few long ones.
    /// </summary>
    internal const int EntryOverhead = 96;

    private readonly int _capacity;
    private readonly long _byteBudget;
    private long _bytes;
    private long _evictions;
    private readonly Dictionary<FileKey, int> _slotOf;
    private Entry[] _entries;
    private int _count;
    private int _newest = None;
    private int _oldest = None;

    public ObjectPathMemory(int capacity, long byteBudget = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _byteBudget = byteBudget;
        // Small at first, grown as files come: sized for the full capacity, the table was 2 MB
        // allocated and faulted in before the first record, for trails that may name a few files.
        int initial = Math.Min(capacity, 1024);
        _slotOf = new Dictionary<FileKey, int>(initial, KeyComparer<FileKey>.Instance);
        _entries = new Entry[initial];
    }

    public int Count => _count;

    /// <summary>Entries let go to stay within the count or the bytes (read from other threads for the metrics).</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>Bytes the entries take, by <see cref="EntryOverhead"/>'s estimate (read from other threads for the metrics).</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Remembers <paramref name="path"/> for the file; copies it only when it differs from what was remembered.</summary>
    public void Remember(uint fileSystemId, ulong inode, ReadOnlySpan<byte> path)
    {
        var key = new FileKey(fileSystemId, inode);
        if (_slotOf.TryGetValue(key, out int slot))
        {
            ref var entry = ref _entries[slot];
            if (!entry.Path.AsSpan().SequenceEqual(path))
            {
                Volatile.Write(ref _bytes, _bytes + path.Length - entry.Path.Length);
                entry.Path = path.ToArray(); // the latest path for an inode wins
            }

            MakeNewest(slot);
            EvictOverBudget(keep: slot);
            return;
        }

        long cost = EntryOverhead + path.Length;
        if (_count >= _capacity)
        {
            // The oldest entry's slot takes the new file.
            slot = _oldest;
            Forget(slot);
        }
        else
        {
            slot = _count++;
            if (slot == _entries.Length)
                Array.Resize(ref _entries, Math.Min(_capacity, _entries.Length * 2));
        }

        _entries[slot] = new Entry { Key = key, Path = path.ToArray(), Older = None, Newer = None };
        LinkNewest(slot);
        _slotOf.Add(key, slot);
        Volatile.Write(ref _bytes, _bytes + cost);
        EvictOverBudget(keep: slot);
    }

    /// <summary>Lets the oldest entries go while the bytes are over the budget; the newest (just remembered) stays.</summary>
    private void EvictOverBudget(int keep)
    {
        while (_bytes > _byteBudget && _oldest != None && _oldest != keep)
        {
            // Free slots are kept dense: the last slot moves into the one let go.
            int slot = _oldest;
            Forget(slot);
            int last = --_count;
            if (slot != last)
                Move(last, slot);
            if (keep == last)
                keep = slot;
        }
    }

    /// <summary>Unlinks and unmaps an entry, counting it as evicted; its slot is then free to reuse.</summary>
    private void Forget(int slot)
    {
        Unlink(slot);
        _slotOf.Remove(_entries[slot].Key);
        Volatile.Write(ref _bytes, _bytes - EntryOverhead - _entries[slot].Path.Length);
        _entries[slot] = default;
        Volatile.Write(ref _evictions, _evictions + 1);
    }

    /// <summary>Moves the entry in slot <paramref name="from"/> to the free slot <paramref name="to"/>, links and map included.</summary>
    private void Move(int from, int to)
    {
        ref var entry = ref _entries[from];
        _entries[to] = entry;
        if (entry.Older != None)
            _entries[entry.Older].Newer = to;
        else
            _oldest = to;
        if (entry.Newer != None)
            _entries[entry.Newer].Older = to;
        else
            _newest = to;
        _slotOf[entry.Key] = to;
        entry = default;
    }

    /// <summary>The remembered path of the file, or null.</summary>
    public byte[]? Recall(uint fileSystemId, ulong inode)
    {
        if (!_slotOf.TryGetValue(new FileKey(fileSystemId, inode), out int slot))
            return null;
        MakeNewest(slot);
        return _entries[slot].Path;
    }

    /// <summary>Every entry, least recently used first: what a checkpoint keeps, and <see cref="Restore"/> takes back in the same order.</summary>
    public RememberedPath[] Export()
    {
        var entries = new RememberedPath[_count];
        int i = 0;
        for (int slot = _oldest; slot != None; slot = _entries[slot].Newer)
        {
            ref var entry = ref _entries[slot];
            entries[i++] = new RememberedPath(entry.Key.FileSystemId, entry.Key.Inode, entry.Path);
        }

        return entries;
    }

    /// <summary>Remembers a checkpoint's entries, least recently used first, so that their order of use is as it was.</summary>
    public void Restore(IEnumerable<RememberedPath> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var e in entries)
            Remember(e.FileSystemId, e.Inode, e.Path);
    }

    private void MakeNewest(int slot)
    {
        if (slot == _newest)
            return;
        Unlink(slot);
        LinkNewest(slot);
    }

    private void Unlink(int slot)
    {
        ref var entry = ref _entries[slot];
        if (entry.Older != None)
            _entries[entry.Older].Newer = entry.Newer;
        else
            _oldest = entry.Newer;
        if (entry.Newer != None)
            _entries[entry.Newer].Older = entry.Older;
        else
            _newest = entry.Older;
        entry.Older = None;
        entry.Newer = None;
    }

    private void LinkNewest(int slot)
    {
        ref var entry = ref _entries[slot];
        entry.Older = _newest;
        entry.Newer = None;
        if (_newest != None)
            _entries[_newest].Newer = slot;
        else
            _oldest = slot;
        _newest = slot;
    }

    private struct Entry
    {
        public FileKey Key;
        public byte[] Path;
        public int Older; // the slot of the entry used just before this one, or None
        public int Newer;
    }

    /// <summary>
    /// A file: its file system and inode. Its own type rather than a tuple, whose hash goes through
    /// a comparer per field, compared through <see cref="KeyComparer{T}"/>, which precompiled code
    /// calls directly: this is looked up for every record with an attribute token.
    /// </summary>
    private readonly record struct FileKey(uint FileSystemId, ulong Inode)
    {
        public bool Equals(FileKey other) => Inode == other.Inode && FileSystemId == other.FileSystemId;

        public override int GetHashCode() => (int)(Inode ^ (Inode >> 32)) ^ (int)(FileSystemId * 0x9E3779B1u);
    }
}
