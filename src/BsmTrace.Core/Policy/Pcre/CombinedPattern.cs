using System.Text;

namespace BsmTrace.Policy.Pcre;

/// <summary>
/// The one pattern <c>(?:p1)|(?:p2)|…</c> that is found in a path exactly when one of a set's
/// patterns is: matching it is one call into PCRE2's JIT code, where the items one by one are a
/// call each (bench/run's pattern rows measure the difference). Made only from items that wrapping and
/// joining cannot change, judged from their text, conservatively: no back references, recursion,
/// subroutine calls or conditions (the group numbers shift), no named groups (two items may share a
/// name), no backtracking verbs or start-of-pattern options (<c>(*COMMIT)</c> in one item would stop
/// the others being tried), no <c>\Q</c>, no extended mode (whose comments run to the end of the
/// pattern), no <c>\K</c> or <c>\G</c>. Option settings such as <c>(?i)</c> stay inside the item's
/// group, as PCRE2 scopes them. Each item was compiled alone first, so each is a whole pattern.
/// </summary>
/// <remarks>
/// The combined pattern tries, at every start, each item the item itself would try there, so its
/// step count is at least any item's: when it answers (found or not) within the limits, every item
/// would have too, and its answer is theirs. When it reaches a limit it decides nothing: the items
/// are then asked one by one, which says which one cannot answer (<see cref="ObjectMatcher"/>).
/// </remarks>
public static class CombinedPattern
{
    /// <summary>Fewer items are asked one by one: a combination of one saves nothing.</summary>
    public const int MinimumItems = 2;

    /// <summary>The combined text of <paramref name="items"/>, or null when one of them cannot be combined.</summary>
    public static string? TryJoin(IReadOnlyList<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count < MinimumItems || !items.All(CanCombine))
            return null;
        var text = new StringBuilder();
        foreach (string item in items)
            text.Append(text.Length == 0 ? "(?:" : "|(?:").Append(item).Append(')');
        return text.ToString();
    }

    /// <summary>Whether the pattern means the same inside <c>(?:…)</c> beside others as alone.</summary>
    public static bool CanCombine(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        for (int i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    if (i + 1 >= pattern.Length || !IsPlainEscape(pattern[i + 1]))
                        return false;
                    i++;
                    break;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    return false;
                case '(' when i + 1 < pattern.Length && pattern[i + 1] == '?':
                    if (!IsPlainGroupStart(pattern.AsSpan(i + 2)))
                        return false;
                    break;
            }
        }

        return true;
    }

    // Back references and octal (\1, \0), \g and \k references, \K (reset the start), \G (anchor at
    // the last match), \Q (quote to \E or the end), \C (one code unit), \c (takes the next character).
    private static bool IsPlainEscape(char c) => !char.IsAsciiDigit(c) && !"gkKGQECc".Contains(c, StringComparison.Ordinal);

    // (?: (?= (?! (?> (?<= (?<!, and option settings of i, m, s, n, U alone: (?i) (?-i) (?i: (?^).
    private static bool IsPlainGroupStart(ReadOnlySpan<char> after)
    {
        if (after.IsEmpty)
            return false;
        if (after[0] is ':' or '=' or '!' or '>')
            return true;
        if (after[0] == '<')
            return after.Length > 1 && after[1] is '=' or '!';
        int k = 0;
        while (k < after.Length && "imsnU-^".Contains(after[k], StringComparison.Ordinal))
            k++;
        return k > 0 && k < after.Length && after[k] is ')' or ':';
    }
}
