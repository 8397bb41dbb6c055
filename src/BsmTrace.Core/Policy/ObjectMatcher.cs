using BsmTrace.Policy.Pcre;

namespace BsmTrace.Policy;

/// <summary>
/// A state's object rule: the record's path is in a <c>path</c> set or
/// matches a <c>pcre</c> pattern; <c>not</c> inverts. A record without a path
/// never matches, with or without <c>not</c>.
/// </summary>
public sealed class ObjectMatcher
{
    private readonly PcrePattern[] _patterns;

    public ObjectMatcher(PathPrefixSet? paths, IReadOnlyList<PcrePattern> patterns, bool negated, string description)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Paths = paths;
        _patterns = [.. patterns];
        Negated = negated;
        Description = description;
    }

    public PathPrefixSet? Paths { get; }

    public IReadOnlyList<PcrePattern> Patterns => _patterns;

    public bool Negated { get; }

    public string Description { get; }

    public bool IsEmpty => (Paths?.Count ?? 0) == 0 && _patterns.Length == 0;

    public bool Matches(bool hasPath, ReadOnlySpan<byte> path)
    {
        if (!hasPath)
            return false;
        bool found = Paths?.Matches(path) == true;
        for (int i = 0; !found && i < _patterns.Length; i++)
            found = _patterns[i].IsMatch(path);
        return found != Negated;
    }
}
