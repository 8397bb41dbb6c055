namespace BsmTrace.Matching;

/// <summary>
/// The records that matched an instance's states, kept for the alert: the
/// first ones and the latest ones, up to a bound, with a count of those left
/// out between. A brute-force sequence with <c>multiplier 50</c> over twenty
/// thousand users must not hold a million records in memory; its evidence
/// shows how it began and how it ended. The bytes live in the partition's
/// <see cref="EvidenceArena"/>; the buffer holds their handles, and gives
/// them back when it is cleared (alerts get copies).
/// </summary>
/// <remarks>
/// A mutable struct, held in its instance (one object fewer per instance):
/// use it through a variable or a reference, never a copy, or records added
/// to the copy are lost to the arena until it goes.
/// </remarks>
internal struct EvidenceBuffer
{
    // Slots [0, _headCapacity) keep the first records in order; the rest are a ring of the latest.
    // Made at the first record kept: an instance of a sequence whose alerts no output writes the
    // records of keeps none, and twenty thousand of them need not carry an empty array each.
    private Kept[]? _kept;
    private readonly int _capacity;
    private readonly int _headCapacity;
    private EvidenceArena _arena;
    private int _headCount;
    private int _tailCount;
    private int _tailStart; // the ring's oldest slot, relative to _headCapacity

    public EvidenceBuffer(int maxRecords, EvidenceArena arena)
    {
        _capacity = Math.Max(2, maxRecords);
        _headCapacity = _capacity / 2;
        _arena = arena;
    }

    public long Total { get; private set; }

    /// <summary>Takes a checkpoint's evidence back: the kept records in the order they matched, and how many matched in all.</summary>
    public void Restore(IReadOnlyList<byte[]> kept, long total)
    {
        ArgumentNullException.ThrowIfNull(kept);
        Clear();
        foreach (var record in kept)
            Keep(record);
        Total = Math.Max(total, _headCount + _tailCount);
    }

    /// <summary>Copies of the kept records, in the order they matched, as arrays (for a checkpoint).</summary>
    public readonly byte[][] Copies()
    {
        var copies = new byte[_headCount + _tailCount][];
        for (int i = 0; i < _headCount; i++)
            copies[i] = Copy(_kept![i]);
        for (int i = 0; i < _tailCount; i++)
            copies[_headCount + i] = Copy(_kept![TailSlot(i)]);
        return copies;
    }

    /// <summary>Records matched but not kept (from the middle of a long run).</summary>
    public readonly long Omitted => Total - _headCount - _tailCount;

    private readonly int TailCapacity => _capacity - _headCapacity;

    /// <summary>Forgets the records and gives their slots back to the arena.</summary>
    public void Clear()
    {
        for (int i = 0; i < _headCount; i++)
            _arena.Free(_kept![i].Handle);
        for (int i = 0; i < _tailCount; i++)
            _arena.Free(_kept![TailSlot(i)].Handle);
        Total = 0;
        _headCount = 0;
        _tailCount = 0;
        _tailStart = 0;
    }

    /// <summary>Counts a matched record, and keeps it when <paramref name="keep"/> (else it counts as left out).</summary>
    public void Add(ReadOnlySpan<byte> record, bool keep = true)
    {
        Total++;
        if (keep)
            Keep(record);
    }

    /// <summary>Places a record among the kept ones (Total counts it already).</summary>
    private void Keep(ReadOnlySpan<byte> record)
    {
        if (!_arena.TryStore(record, out int handle))
        {
            // The budget is spent (or the arena is out of page ids). The latest record matters
            // more than the oldest of the latest, or than the last of the first ones: give that
            // one back and try again; the very first record stays. What cannot be kept counts as
            // left out.
            if (_tailCount > 0)
            {
                _arena.Free(_kept![TailSlot(0)].Handle);
                _tailStart = (_tailStart + 1) % TailCapacity;
                _tailCount--;
            }
            else if (_headCount >= 2)
            {
                _arena.Free(_kept![--_headCount].Handle);
            }
            else
            {
                return;
            }

            if (!_arena.TryStore(record, out handle))
                return;
        }

        var kept = new Kept(handle, record.Length);
        _kept ??= new Kept[_capacity];
        if (_headCount < _headCapacity)
        {
            _kept[_headCount++] = kept;
        }
        else if (_tailCount < TailCapacity)
        {
            _kept[TailSlot(_tailCount++)] = kept;
        }
        else
        {
            // A ring: the latest ones. The oldest goes.
            int slot = TailSlot(0);
            _arena.Free(_kept[slot].Handle);
            _kept[slot] = kept;
            _tailStart = (_tailStart + 1) % TailCapacity;
        }
    }

    /// <summary>Copies of the kept records, in the order they matched.</summary>
    public readonly IReadOnlyList<ReadOnlyMemory<byte>> ToList()
    {
        var list = new ReadOnlyMemory<byte>[_headCount + _tailCount];
        for (int i = 0; i < _headCount; i++)
            list[i] = Copy(_kept![i]);
        for (int i = 0; i < _tailCount; i++)
            list[_headCount + i] = Copy(_kept![TailSlot(i)]);
        return list;
    }

    /// <summary>Moves the kept records into <paramref name="arena"/> (an instance carried over to another partition by a reload).</summary>
    public void MoveTo(EvidenceArena arena)
    {
        if (ReferenceEquals(arena, _arena))
            return;
        var from = _arena;
        var moving = new Kept[_headCount + _tailCount];
        for (int i = 0; i < _headCount; i++)
            moving[i] = _kept![i];
        for (int i = 0; i < _tailCount; i++)
            moving[_headCount + i] = _kept![TailSlot(i)];

        // Kept again in the same order, so head and tail come out as they were (or, should the new
        // arena be out of page ids, without the records it cannot take, which count as left out).
        _arena = arena;
        _headCount = 0;
        _tailCount = 0;
        _tailStart = 0;
        foreach (var kept in moving)
        {
            Keep(from.Get(kept.Handle, kept.Length));
            from.Free(kept.Handle);
        }
    }

    private readonly int TailSlot(int i) => _headCapacity + ((_tailStart + i) % TailCapacity);

    private readonly byte[] Copy(Kept kept) => _arena.Get(kept.Handle, kept.Length).ToArray();

    private readonly record struct Kept(int Handle, int Length);
}
