using BsmTrace.Policy.Pcre;

namespace BsmTrace.Policy;

/// <summary>
/// A state's object rule: the record's path is in a <c>path</c> set or
/// matches a <c>pcre</c> pattern; <c>not</c> inverts. A record without a path
/// never matches, with or without <c>not</c>. A pattern that cannot say (it reached its
/// <see cref="PcreLimits"/>) fails closed: the rule comes out the way that raises the alert, a
/// match for a plain set and no exclusion for a <c>not</c> set, so that a path crafted to exhaust
/// a pattern cannot hide the record it names.
/// </summary>
public sealed class ObjectMatcher
{
    private readonly PcrePattern[] _patterns;
    private readonly PcrePattern? _combined;

    /// <param name="combined">
    /// The <see cref="CombinedPattern"/> of <paramref name="patterns"/>, asked first when there is
    /// one: its answer is theirs, except when it reaches a limit, and the items are then asked.
    /// </param>
    public ObjectMatcher(PathPrefixSet? paths, IReadOnlyList<PcrePattern> patterns, bool negated, string description, PcrePattern? combined = null)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        Paths = paths;
        _patterns = [.. patterns];
        _combined = combined;
        Negated = negated;
        Description = description;
    }

    /// <summary>Whether the patterns are matched as one (<see cref="CombinedPattern"/>).</summary>
    public bool IsCombined => _combined is not null;

    public PathPrefixSet? Paths { get; }

    public IReadOnlyList<PcrePattern> Patterns => _patterns;

    /// <summary>What the rule takes, as text that is equal exactly when two rules are (for fingerprints); made once, as a state of many shares it.</summary>
    public string Canonical => _canonical ??=
        $"{Negated} [{string.Join(',', Paths?.Paths ?? [])}] [{string.Join('\u0001', _patterns.Select(p => p.Pattern))}]";

    private string? _canonical;

    public bool Negated { get; }

    public string Description { get; }

    public bool IsEmpty => (Paths?.Count ?? 0) == 0 && _patterns.Length == 0;

    public bool Matches(bool hasPath, ReadOnlySpan<byte> path) => Matches(hasPath, path, out _, out _);

    /// <summary>
    /// Whether the rule holds for the path; <paramref name="failed"/> is the pattern that could not
    /// say (with PCRE2's <paramref name="error"/>), when one could not, and the rule then holds.
    /// </summary>
    public bool Matches(bool hasPath, ReadOnlySpan<byte> path, out PcrePattern? failed, out int error)
    {
        failed = null;
        error = 0;
        if (!hasPath)
            return false;
        bool found = Paths?.Matches(path) == true;
        if (_patterns.Length == 0)
            return found != Negated; // path items alone cannot fail to say
        if (!found && _combined is not null)
        {
            var either = _combined.Match(path, out _);
            if (either != PcreOutcome.Failed)
                return (either == PcreOutcome.Match) != Negated;
        }

        for (int i = 0; !found && i < _patterns.Length; i++)
        {
            // A pattern that cannot say decides nothing while another item may still say for sure:
            // a later pattern that matches excludes the path from a not set, whatever the failed one.
            int patternError;
            var outcome = _patterns[i].Match(path, out patternError);
            if (outcome == PcreOutcome.Failed && failed is null)
            {
                failed = _patterns[i];
                error = patternError;
            }

            found = outcome == PcreOutcome.Match;
        }

        if (found)
        {
            failed = null;
            error = 0;
            return !Negated;
        }

        return failed is not null || Negated;
    }
}
