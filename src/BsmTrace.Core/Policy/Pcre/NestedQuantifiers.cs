namespace BsmTrace.Policy.Pcre;

/// <summary>
/// Finds the shape that makes a backtracking matcher take exponential time: a repeated group that
/// itself holds something repeated, as in <c>(\w+\.?)+</c> or <c>(a*)*</c>. On a path built to
/// almost match, such a pattern uses up its step limit on every record (and the record then counts
/// as matching it), so <c>check</c> warns about it. A heuristic over the pattern's text, not a
/// parser of PCRE2's whole syntax: escapes, <c>\Q…\E</c> and character classes are skipped, atomic
/// groups and possessive quantifiers (which do not backtrack) are not counted.
/// </summary>
public static class NestedQuantifiers
{
    /// <summary>The offset of the first repeated group that holds a repetition, or -1 when there is none.</summary>
    public static int Find(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        // For each open group: where it starts, whether it is atomic, whether it holds a repetition.
        var groups = new Stack<(int Start, bool Atomic, bool Repeats)>();
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            switch (c)
            {
                case '\\' when i + 1 < pattern.Length && pattern[i + 1] == 'Q':
                    int end = pattern.IndexOf("\\E", i + 2, StringComparison.Ordinal);
                    i = end < 0 ? pattern.Length : end + 2;
                    continue;
                case '\\':
                    i += 2;
                    break;
                case '[':
                    i = SkipClass(pattern, i);
                    break;
                case '(':
                    groups.Push((i, pattern.AsSpan(i).StartsWith("(?>"), false));
                    i++;
                    continue;
                case ')' when groups.Count > 0:
                    var group = groups.Pop();
                    i++;
                    bool repeated = IsRepetition(pattern, ref i, out bool possessive) && !possessive;
                    bool backtracksInside = group.Repeats && !group.Atomic;
                    if (repeated && backtracksInside)
                        return group.Start;
                    if (repeated || backtracksInside)
                        MarkEnclosingRepeats(groups);
                    continue;
                default:
                    i++;
                    break;
            }

            // After an atom: a repetition of it makes the enclosing group one that repeats.
            if (IsRepetition(pattern, ref i, out bool possessiveAtom) && !possessiveAtom)
                MarkEnclosingRepeats(groups);
        }

        return -1;
    }

    private static void MarkEnclosingRepeats(Stack<(int Start, bool Atomic, bool Repeats)> groups)
    {
        if (groups.TryPop(out var g))
            groups.Push(g with { Repeats = true });
    }

    /// <summary>Whether a quantifier that can repeat more than once starts at <paramref name="i"/>; moves past it.</summary>
    private static bool IsRepetition(string p, ref int i, out bool possessive)
    {
        possessive = false;
        if (i >= p.Length)
            return false;
        bool repeats;
        switch (p[i])
        {
            case '*' or '+':
                repeats = true;
                i++;
                break;
            case '?':
                i++;
                repeats = false;
                break;
            case '{':
                int close = p.IndexOf('}', i);
                if (close < 0 || !TryBounds(p.AsSpan(i + 1, close - i - 1), out repeats))
                    return false;
                i = close + 1;
                break;
            default:
                return false;
        }

        if (i < p.Length && p[i] == '+')
        {
            possessive = true;
            i++;
        }
        else if (i < p.Length && p[i] == '?')
        {
            i++; // lazy: backtracks all the same
        }

        return repeats;
    }

    // {n}, {n,}, {n,m}: a repetition when it can take more than one.
    private static bool TryBounds(ReadOnlySpan<char> inside, out bool repeats)
    {
        repeats = false;
        int comma = inside.IndexOf(',');
        var low = comma < 0 ? inside : inside[..comma];
        if (low.IsEmpty || !int.TryParse(low, out int min))
            return false;
        if (comma < 0)
        {
            repeats = min > 1;
            return true;
        }

        var high = inside[(comma + 1)..];
        if (high.IsEmpty)
        {
            repeats = true;
            return true;
        }

        if (!int.TryParse(high, out int max))
            return false;
        repeats = max > 1;
        return true;
    }

    private static int SkipClass(string p, int i)
    {
        int j = i + 1;
        if (j < p.Length && p[j] == '^')
            j++;
        if (j < p.Length && p[j] == ']')
            j++; // a ']' first is a member
        while (j < p.Length && p[j] != ']')
        {
            if (p[j] == '\\')
                j++;
            else if (p[j] == '[' && j + 1 < p.Length && p[j + 1] == ':')
            {
                int close = p.IndexOf(":]", j + 2, StringComparison.Ordinal);
                if (close > 0)
                    j = close + 1;
            }

            j++;
        }

        return Math.Min(j + 1, p.Length);
    }
}
