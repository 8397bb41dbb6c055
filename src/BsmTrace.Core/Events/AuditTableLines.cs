namespace BsmTrace.Events;

/// <summary>
/// Splits the colon-separated lines of audit_event(5) and audit_class(5) the
/// way libbsm does (strtok: empty fields vanish, so "AUE_RTPRIO::rtprio(2)"
/// reads as two fields), skipping blank lines and # comments.
/// </summary>
internal static class AuditTableLines
{
    public static IEnumerable<(int LineNumber, string[] Fields)> Read(TextReader reader)
    {
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
                continue;
            yield return (lineNumber, line.Split(':', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    public static Stream OpenBuiltin(string name) =>
        typeof(AuditTableLines).Assembly.GetManifestResourceStream("BsmTrace.Events." + name)
        ?? throw new InvalidOperationException($"The built-in {name} table is missing from the assembly.");
}
