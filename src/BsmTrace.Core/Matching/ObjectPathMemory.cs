namespace BsmTrace.Matching;

/// <summary>
/// Remembers the last path seen for each (file system id, inode), so that a
/// record with an attribute token but no path (fchmod, ftruncate, fstat…) still
/// has an object. Bounded: the least recently used entries go first. Used by
/// the one thread that batches records, in record order, so that every worker
/// sees the same paths.
/// </summary>
public sealed class ObjectPathMemory
{
    private readonly int _capacity;
    private readonly Dictionary<FileKey, LinkedListNode<Entry>> _entries;
    private readonly LinkedList<Entry> _recency = new();

    public ObjectPathMemory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _entries = new Dictionary<FileKey, LinkedListNode<Entry>>(Math.Min(capacity, 1 << 16), FileKey.Comparer);
    }

    public int Count => _entries.Count;

    public long Evictions { get; private set; }

    /// <summary>Remembers <paramref name="path"/> for the file; copies it only when it differs from what was remembered.</summary>
    public void Remember(uint fileSystemId, ulong inode, ReadOnlySpan<byte> path)
    {
        if (_entries.TryGetValue(new FileKey(fileSystemId, inode), out var node))
        {
            if (!node.Value.Path.AsSpan().SequenceEqual(path))
                node.Value = node.Value with { Path = path.ToArray() }; // the latest path for an inode wins
            _recency.Remove(node);
            _recency.AddFirst(node);
            return;
        }

        if (_entries.Count >= _capacity)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(oldest.Value.Key);
            Evictions++;
        }

        var entry = _recency.AddFirst(new Entry(new FileKey(fileSystemId, inode), path.ToArray()));
        _entries.Add(new FileKey(fileSystemId, inode), entry);
    }

    /// <summary>The remembered path of the file, or null.</summary>
    public byte[]? Recall(uint fileSystemId, ulong inode)
    {
        if (!_entries.TryGetValue(new FileKey(fileSystemId, inode), out var node))
            return null;
        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value.Path;
    }

    private sealed record Entry(FileKey Key, byte[] Path);

    /// <summary>
    /// A file: its file system and inode. Its own type rather than a tuple, whose hash goes through
    /// a comparer per field, and with a comparer of its own, which precompiled code calls directly
    /// (see <see cref="InstanceKey"/>): this is looked up for every record with an attribute token.
    /// </summary>
    private readonly record struct FileKey(uint FileSystemId, ulong Inode)
    {
        public static IEqualityComparer<FileKey> Comparer { get; } = new KeyComparer();

        public bool Equals(FileKey other) => Inode == other.Inode && FileSystemId == other.FileSystemId;

        public override int GetHashCode() => (int)(Inode ^ (Inode >> 32)) ^ (int)(FileSystemId * 0x9E3779B1u);

        private sealed class KeyComparer : IEqualityComparer<FileKey>
        {
            public bool Equals(FileKey x, FileKey y) => x.Equals(y);

            public int GetHashCode(FileKey key) => key.GetHashCode();
        }
    }
}
