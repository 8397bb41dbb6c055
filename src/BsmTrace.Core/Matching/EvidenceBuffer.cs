namespace BsmTrace.Matching;

/// <summary>
/// The records that matched an instance's states, kept for the alert: the
/// first ones and the latest ones, up to a bound, with a count of those left
/// out between. A brute-force sequence with <c>multiplier 50</c> over twenty
/// thousand users must not hold a million records in memory; its evidence
/// shows how it began and how it ended. Arrays are reused when the instance
/// is (alerts get copies), so a busy matcher stops allocating for evidence.
/// </summary>
internal sealed class EvidenceBuffer
{
    private readonly Slots _head;
    private readonly Slots _tail;

    public EvidenceBuffer(int maxRecords)
    {
        int max = Math.Max(2, maxRecords);
        _head = new Slots(max / 2);
        _tail = new Slots(max - (max / 2));
    }

    public long Total { get; private set; }

    /// <summary>Records matched but not kept (from the middle of a long run).</summary>
    public long Omitted => Total - _head.Count - _tail.Count;

    /// <summary>Forgets the records, keeping the arrays for reuse.</summary>
    public void Clear()
    {
        Total = 0;
        _head.Clear();
        _tail.Clear();
    }

    public void Add(ReadOnlySpan<byte> record)
    {
        Total++;
        if (!_head.IsFull)
            _head.Append(record);
        else
            _tail.Append(record); // a ring: the latest ones
    }

    /// <summary>Copies of the kept records, in the order they matched.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> ToList()
    {
        var list = new List<ReadOnlyMemory<byte>>(_head.Count + _tail.Count);
        _head.CopyTo(list);
        _tail.CopyTo(list);
        return list;
    }

    /// <summary>A fixed number of reusable byte arrays, used as a ring once full.</summary>
    private sealed class Slots(int capacity)
    {
        private readonly byte[]?[] _arrays = new byte[capacity][];
        private readonly int[] _lengths = new int[capacity];
        private int _start;

        public int Count { get; private set; }

        public bool IsFull => Count == _arrays.Length;

        public void Clear()
        {
            _start = 0;
            Count = 0;
        }

        public void Append(ReadOnlySpan<byte> record)
        {
            int slot;
            if (Count < _arrays.Length)
            {
                slot = (_start + Count) % _arrays.Length;
                Count++;
            }
            else
            {
                slot = _start; // overwrite the oldest
                _start = (_start + 1) % _arrays.Length;
            }

            if (_arrays[slot] is not { } array || array.Length < record.Length)
                _arrays[slot] = array = new byte[(record.Length + 63) & ~63]; // a little room: records of one kind differ by a few bytes
            record.CopyTo(array);
            _lengths[slot] = record.Length;
        }

        public void CopyTo(List<ReadOnlyMemory<byte>> list)
        {
            for (int i = 0; i < Count; i++)
            {
                int slot = (_start + i) % _arrays.Length;
                list.Add(_arrays[slot].AsSpan(0, _lengths[slot]).ToArray());
            }
        }
    }
}
