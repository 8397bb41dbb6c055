namespace BsmTrace.Policy;

/// <summary>
/// Finds the known name nearest to a misspelt one (Levenshtein distance, case
/// folded), for "did you mean" hints. Written by hand: the algorithm is ten
/// lines and no package on our source offers just this.
/// </summary>
public static class NameSuggester
{
    /// <summary>The nearest candidate within a distance of about a third of the name's length, or null.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        // A '$' sigil is not part of what can be misspelt; and a suggestion must share at
        // least one character with the name ('$x' is not a misspelling of '$u').
        string bare = name.TrimStart('$');
        int limit = Math.Min(Math.Max(1, bare.Length / 3), bare.Length - 1);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            string bareCandidate = candidate.TrimStart('$');
            if (Math.Abs(bareCandidate.Length - bare.Length) > limit || bareCandidate.Length > 256)
                continue;
            int d = Distance(bare, bareCandidate);
            if (d < bestDistance && d <= limit)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        return best;
    }

    private static int Distance(string a, string b)
    {
        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }
}
