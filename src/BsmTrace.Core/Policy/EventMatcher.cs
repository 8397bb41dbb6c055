namespace BsmTrace.Policy;

/// <summary>
/// A state's event rule compiled to one bit per event number: event sets,
/// class sets (resolved against the event table when the policy loads, so a
/// class check costs what an event check does) and <c>not</c> all become a
/// single lookup. Built from bitmaps with plain loops: ReadyToRun cannot
/// precompile the framework's generic code over ushort and ulong (LINQ,
/// enumerators, Array.Fill), so each such call was compiled at every start.
/// </summary>
public sealed class EventMatcher
{
    private readonly ulong[] _bits;
    private string? _canonical;

    private EventMatcher(ulong[] bits, bool isAny, string description)
    {
        _bits = bits;
        IsAny = isAny;
        Description = description;
        foreach (ulong word in bits)
            Count += System.Numerics.BitOperations.PopCount(word);
    }

    /// <summary>Words in a bitmap of the 65,536 event numbers (bit <c>e &amp; 63</c> of word <c>e &gt;&gt; 6</c>).</summary>
    public const int BitmapWords = 1024;

    public static EventMatcher Any { get; } = FromBitmap([], negated: true, "any", isAny: true);

    /// <summary>A matcher taking exactly <paramref name="events"/>; <paramref name="negated"/> inverts it.</summary>
    public static EventMatcher From(IEnumerable<ushort> events, bool negated, string description)
    {
        ArgumentNullException.ThrowIfNull(events);
        var bits = new ulong[BitmapWords];
        foreach (ushort e in events)
            Add(bits, e);
        return FromBitmap(bits, negated, description);
    }

    /// <summary>Sets event <paramref name="e"/> in a bitmap of <see cref="BitmapWords"/> words.</summary>
    internal static void Add(Span<ulong> bitmap, ushort e) => bitmap[e >> 6] |= 1UL << (e & 63);

    /// <summary>A matcher taking the events set in <paramref name="bits"/> (empty: none); <paramref name="negated"/> inverts it.</summary>
    public static EventMatcher FromBitmap(ReadOnlySpan<ulong> bits, bool negated, string description) =>
        FromBitmap(bits, negated, description, isAny: false);

    private static EventMatcher FromBitmap(ReadOnlySpan<ulong> bits, bool negated, string description, bool isAny)
    {
        if (!bits.IsEmpty && bits.Length != BitmapWords)
            throw new ArgumentException($"an event bitmap has {BitmapWords} words", nameof(bits));
        var copy = new ulong[BitmapWords];
        for (int i = 0; i < copy.Length; i++)
        {
            ulong word = bits.IsEmpty ? 0 : bits[i];
            copy[i] = negated ? ~word : word;
        }

        return new EventMatcher(copy, isAny, description);
    }

    public bool IsAny { get; }

    /// <summary>How many of the 65,536 event numbers match; 0 means the state can never match.</summary>
    public int Count { get; }

    public string Description { get; }

    /// <summary>
    /// The events that match as ranges ("6-9,32,112"), for fingerprints: equal exactly when the
    /// matchers take the same events. Written out rather than digested, so that loading a policy
    /// does not load a cryptography library (tens of milliseconds of start-up) for a comparison;
    /// made once, since a multiplied state asks for it once per copy.
    /// </summary>
    public string Canonical => _canonical ??= DescribeRanges();

    private string DescribeRanges()
    {
        var text = new System.Text.StringBuilder();
        int e = 0;
        while (e <= ushort.MaxValue)
        {
            // Whole words at a time through the gaps and the runs: most of the 65,536 numbers are one or the other.
            ulong word = _bits[e >> 6];
            if ((e & 63) == 0 && word == 0)
            {
                e += 64;
                continue;
            }

            if (!Matches((ushort)e))
            {
                e++;
                continue;
            }

            int first = e;
            while (e < ushort.MaxValue && Matches((ushort)(e + 1)))
                e = ((e + 1) & 63) == 0 && e + 64 <= ushort.MaxValue && _bits[(e + 1) >> 6] == ulong.MaxValue ? e + 64 : e + 1;
            if (text.Length > 0)
                text.Append(',');
            text.Append(first);
            if (e > first)
                text.Append('-').Append(e);
            e++;
        }

        return text.ToString();
    }

    public bool Matches(ushort eventType) => (_bits[eventType >> 6] & (1UL << (eventType & 63))) != 0;

    /// <summary>The events that match as a bitmap (see <see cref="BitmapWords"/>), for building the matcher's index.</summary>
    internal ReadOnlySpan<ulong> Bitmap => _bits;
}
