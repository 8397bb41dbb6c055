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

    public int Intern(ReadOnlySpan<byte> zone)
    {
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(zone, out int id))
            return id;
        if (_names.Count >= MaxZones)
            return Overflow;
        id = _names.Count;
        lookup[zone] = id;
        _names.Add(Encoding.UTF8.GetString(zone));
        return id;
    }

    public string Name(int id) => _names[id];
}
