using System.Text;
using BsmTrace.Matching;

namespace BsmTrace.Policy;

/// <summary>
/// The paths of a <c>path</c> set, matched by component: <c>/usr/bin</c>
/// matches <c>/usr/bin</c> and <c>/usr/bin/id</c> but not <c>/usr/binx</c>; an
/// item ending in '/' is a raw prefix. Matching compares bytes and allocates nothing.
/// </summary>
/// <remarks>
/// A small set is scanned, shortest item first. A large one (thousands of paths) is looked up
/// instead, in time that grows with the path's depth and not with the set: an item can match
/// only as the whole path or as the part before one of its '/' (a component item), or as the
/// part up to and including one of its '/' (a raw prefix, which ends in '/'), so those cuts of
/// the path are all there is to look up.
/// </remarks>
public sealed class PathPrefixSet
{
    // Below this a scan of a few short comparisons beats hashing the path's cuts.
    internal const int DefaultScanLimit = 8;

    private readonly byte[][] _items;
    private readonly HashSet<byte[]>? _components;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _componentLookup;
    private readonly HashSet<byte[]>? _rawPrefixes;
    private readonly HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> _rawLookup;
    private readonly int _longest;

    public PathPrefixSet(IEnumerable<string> paths)
        : this(paths, DefaultScanLimit)
    {
    }

    /// <param name="scanLimit">The largest set that is scanned rather than looked up (tests set it to compare the two).</param>
    internal PathPrefixSet(IEnumerable<string> paths, int scanLimit)
    {
        // Shortest first: a short prefix that matches saves the longer comparisons. (A comparison
        // rather than OrderBy by length, whose int keys take code compiled at every start.)
        _items = paths.Distinct(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToArray();
        Array.Sort(_items, static (a, b) => a.Length.CompareTo(b.Length));
        if (_items.Length <= scanLimit)
            return;
        _components = new HashSet<byte[]>(_items.Where(i => i.Length > 0 && i[^1] != (byte)'/'), ByteSpanComparer.Instance);
        _rawPrefixes = new HashSet<byte[]>(_items.Where(i => i.Length > 0 && i[^1] == (byte)'/'), ByteSpanComparer.Instance);
        _componentLookup = _components.GetAlternateLookup<ReadOnlySpan<byte>>();
        _longest = _items[^1].Length;
        _rawLookup = _rawPrefixes.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count => _items.Length;

    public IEnumerable<string> Paths => _items.Select(Encoding.UTF8.GetString);

    public bool Matches(ReadOnlySpan<byte> path) => _components is null ? Scan(path) : LookUp(path);

    private bool Scan(ReadOnlySpan<byte> path)
    {
        foreach (var item in _items)
        {
            if (path.Length < item.Length)
                return false; // sorted by length: no longer item can match either
            if (!path.StartsWith(item))
                continue;
            if (path.Length == item.Length || item[^1] == (byte)'/' || path[item.Length] == (byte)'/')
                return true;
        }

        return false;
    }

    private bool LookUp(ReadOnlySpan<byte> path)
    {
        bool anyComponents = _components!.Count > 0;
        bool anyRaw = _rawPrefixes!.Count > 0;
        if (anyComponents && path.Length <= _longest && _componentLookup.Contains(path))
            return true;
        // No cut longer than the longest item can be one: a deep path costs no more than the set's depth.
        for (int slash = path.IndexOf((byte)'/'); slash >= 0 && slash <= _longest; slash = NextSlash(path, slash))
        {
            if (anyComponents && slash > 0 && _componentLookup.Contains(path[..slash]))
                return true;
            if (anyRaw && _rawLookup.Contains(path[..(slash + 1)]))
                return true;
        }

        return false;
    }

    private static int NextSlash(ReadOnlySpan<byte> path, int slash)
    {
        int next = path[(slash + 1)..].IndexOf((byte)'/');
        return next < 0 ? -1 : slash + 1 + next;
    }
}
