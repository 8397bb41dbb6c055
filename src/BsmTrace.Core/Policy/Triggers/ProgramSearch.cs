namespace BsmTrace.Policy.Triggers;

/// <summary>Finds the file a trigger's program name runs, as execvp(3) would, but once, when the policy loads.</summary>
public static class ProgramSearch
{
    /// <summary>
    /// <paramref name="name"/> itself (made absolute) when it holds a '/'; else the first regular
    /// file of that name in an absolute directory of <paramref name="searchPath"/>; else null.
    /// </summary>
    public static string? Find(string name, string? searchPath)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('/', StringComparison.Ordinal))
            return Path.GetFullPath(name);
        foreach (var directory in (searchPath ?? "").Split(':'))
        {
            // An empty or relative entry names the working directory, which is nobody's to trust.
            if (!Path.IsPathRooted(directory))
                continue;
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }
}
