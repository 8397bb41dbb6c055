namespace BsmTrace.Policy;

/// <summary>
/// A state's event rule compiled to one bit per event number: event sets,
/// class sets (resolved against the event table when the policy loads, so a
/// class check costs what an event check does) and <c>not</c> all become a
/// single lookup.
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
        Count = bits.Sum(b => System.Numerics.BitOperations.PopCount(b));
    }

    public static EventMatcher Any { get; } = new(Enumerable.Repeat(ulong.MaxValue, 1024).ToArray(), true, "any");

    /// <summary>A matcher taking exactly <paramref name="events"/>; <paramref name="negated"/> inverts it.</summary>
    public static EventMatcher From(IEnumerable<ushort> events, bool negated, string description)
    {
        ArgumentNullException.ThrowIfNull(events);
        var bits = new ulong[1024];
        foreach (ushort e in events)
            bits[e >> 6] |= 1UL << (e & 63);
        if (negated)
        {
            for (int i = 0; i < bits.Length; i++)
                bits[i] = ~bits[i];
        }

        return new EventMatcher(bits, false, description);
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

    /// <summary>The event numbers that match, for building the matcher's index.</summary>
    public IEnumerable<ushort> Events()
    {
        for (int e = 0; e <= ushort.MaxValue; e++)
        {
            if (Matches((ushort)e))
                yield return (ushort)e;
        }
    }
}
