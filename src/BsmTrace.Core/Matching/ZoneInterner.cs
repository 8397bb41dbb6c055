using System.Text;

namespace BsmTrace.Matching;

/// <summary>
/// Gives each zone name (jail) a small number, so that an instance key holds
/// an int rather than a string, and a record's zone is looked up without
/// allocating. Id 0 means "no zone". Zone names are few (only root creates
/// jails); past a cap, new names share one overflow id.
/// </summary>
public sealed class ZoneInterner
{
    public const int MaxZones = 65_536;
    private const int Overflow = 1;

    private readonly Dictionary<byte[], int> _ids = new(ByteSpanComparer.Instance);
    private readonly List<string> _names = ["", "(other zones)"];

    // The zone asked for last: a jail's records come in runs, and a comparison of a few bytes
    // saves hashing the name for most of them.
    private byte[] _last = [];
    private int _lastId = -1;

    public int Intern(ReadOnlySpan<byte> zone)
    {
        if (_lastId >= 0 && zone.SequenceEqual(_last))
            return _lastId;
        if (!_ids.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(zone, out var name, out int id))
        {
            if (_names.Count >= MaxZones)
                return Overflow;
            name = zone.ToArray();
            id = _names.Count;
            _ids.Add(name, id);
            _names.Add(Encoding.UTF8.GetString(zone));
        }

        _last = name; // the dictionary's own copy: switching between zones allocates nothing
        _lastId = id;
        return id;
    }

    public string Name(int id) => _names[id];

    /// <summary>Every name by id, from id 0 (a checkpoint keeps them, so that ids in instance keys stay true).</summary>
    public string[] Names() => [.. _names];

    /// <summary>Takes a checkpoint's names, which get the ids they had (an interner that has interned nothing yet).</summary>
    public void Restore(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (_names.Count != 2)
            throw new InvalidOperationException("zone names are restored before any is interned");
        for (int id = 2; id < names.Count; id++)
            Intern(Encoding.UTF8.GetBytes(names[id]));
    }
}
