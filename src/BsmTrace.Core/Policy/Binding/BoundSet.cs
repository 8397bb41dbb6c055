using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Pcre;

namespace BsmTrace.Policy.Binding;

/// <summary>A set with its items resolved: ids, event numbers, a class mask, paths, patterns or channels, by its type.</summary>
internal sealed class BoundSet(string name, SetType type, SourceLocation location)
{
    public string Name { get; } = name;

    public SetType Type { get; } = type;

    public SourceLocation Location { get; } = location;

    /// <summary>Whether anything refers to the set (for the unused-set warning).</summary>
    public bool Used { get; set; }

    // User or group ids as added (duplicates too): a growable array rather than a sorted set or a
    // list, whose generic code over uint ReadyToRun cannot precompile (see the events below).
    private uint[] _ids = [];
    private int _idCount;

    /// <summary>The user or group ids of a subject set, as added.</summary>
    public ReadOnlySpan<uint> Ids => new(_ids, 0, _idCount);

    public void AddId(uint id)
    {
        if (_idCount == _ids.Length)
        {
            var larger = new uint[Math.Max(4, _ids.Length * 2)];
            Array.Copy(_ids, larger, _idCount);
            _ids = larger;
        }

        _ids[_idCount++] = id;
    }

    // One bit per event number, made when the first event is added: a set over a 16-bit space,
    // in order, without the sorted set's generic code, which ReadyToRun cannot precompile for
    // ushort and the JIT compiled at every start (a third of the methods compiled before the
    // first record).
    private ulong[]? _events;

    /// <summary>The event numbers as a bitmap (see <see cref="EventMatcher.BitmapWords"/>); empty when there are none.</summary>
    public ReadOnlySpan<ulong> EventBits => _events;

    public void AddEvent(ushort number) => EventMatcher.Add(_events ??= new ulong[EventMatcher.BitmapWords], number);

    public uint ClassMask { get; set; }

    public SortedSet<string> ClassNames { get; } = new(StringComparer.Ordinal);

    public List<string> Paths { get; } = [];

    public List<PcrePattern> Patterns { get; } = [];

    public List<LogChannelDefinition> Channels { get; } = [];

    public void MergeFrom(BoundSet other)
    {
        for (int i = 0; i < other._idCount; i++)
            AddId(other._ids[i]);
        if (other._events is { } theirs)
        {
            var ours = _events ??= new ulong[EventMatcher.BitmapWords];
            for (int i = 0; i < ours.Length; i++)
                ours[i] |= theirs[i];
        }

        ClassMask |= other.ClassMask;
        ClassNames.UnionWith(other.ClassNames);
        Paths.AddRange(other.Paths);
        Patterns.AddRange(other.Patterns);
        Channels.AddRange(other.Channels);
    }

    /// <summary>The resolved content as canonical text, so a fingerprint changes exactly when the meaning does.</summary>
    public string Content => Type switch
    {
        _ when Type.IsSubject() => SubjectSelector.Join(SubjectSelector.SortedDistinct(Ids)),
        SetType.AuditEvent => EventList(),
        SetType.AuditClass => $"0x{ClassMask:x8}",
        SetType.Path => string.Join(',', Paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
        SetType.Pcre => string.Join('\u0001', Patterns.Select(p => p.Pattern)),
        _ => string.Join(',', Channels.Select(c => c.Name)),
    };

    /// <summary>The event numbers, ascending, as "23,72".</summary>
    private string EventList()
    {
        var text = new System.Text.StringBuilder();
        var bits = EventBits;
        for (int word = 0; word < bits.Length; word++)
        {
            for (ulong rest = bits[word]; rest != 0; rest &= rest - 1)
            {
                if (text.Length > 0)
                    text.Append(',');
                text.Append((word << 6) | System.Numerics.BitOperations.TrailingZeroCount(rest));
            }
        }

        return text.ToString();
    }
}
