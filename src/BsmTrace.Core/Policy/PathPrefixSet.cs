using System.Text;

namespace BsmTrace.Policy;

/// <summary>
/// The paths of a <c>path</c> set, matched by component: <c>/usr/bin</c>
/// matches <c>/usr/bin</c> and <c>/usr/bin/id</c> but not <c>/usr/binx</c>; an
/// item ending in '/' is a raw prefix. Matching compares bytes and allocates nothing.
/// </summary>
public sealed class PathPrefixSet
{
    private readonly byte[][] _items;

    public PathPrefixSet(IEnumerable<string> paths)
    {
        // Shortest first: a short prefix that matches saves the longer comparisons. (A comparison
        // rather than OrderBy by length, whose int keys take code compiled at every start.)
        _items = paths.Distinct(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToArray();
        Array.Sort(_items, static (a, b) => a.Length.CompareTo(b.Length));
    }

    public int Count => _items.Length;

    public IEnumerable<string> Paths => _items.Select(Encoding.UTF8.GetString);

    public bool Matches(ReadOnlySpan<byte> path)
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
}
