using System.Globalization;

namespace BsmTrace.Events;

/// <summary>
/// The audit classes: short names (fr, lo, ex, …) to bit masks. Read from the
/// host's audit_class(5) when it has one, else from the built-in copy of the
/// standard OpenBSM table, so the program works on hosts without one.
/// </summary>
public sealed class AuditClassTable
{
    /// <summary>Where FreeBSD and macOS keep the table.</summary>
    public const string SystemPath = "/etc/security/audit_class";

    private static readonly Lazy<AuditClassTable> BuiltinTable = new(() =>
    {
        using var reader = new StreamReader(AuditTableLines.OpenBuiltin("audit_class"));
        return Parse(reader, "built-in audit_class");
    });

    private readonly Dictionary<string, AuditClass> _byName;

    private AuditClassTable(string source, List<AuditClass> classes, List<string> warnings)
    {
        Source = source;
        Classes = classes;
        Warnings = warnings;
        _byName = new Dictionary<string, AuditClass>(StringComparer.Ordinal);
        foreach (var c in classes)
            _byName.TryAdd(c.Name, c);
    }

    /// <summary>Where the table came from: a file path or "built-in audit_class".</summary>
    public string Source { get; }

    public IReadOnlyList<AuditClass> Classes { get; }

    /// <summary>Lines that were skipped, each as FILE:LINE: reason.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public static AuditClassTable Builtin => BuiltinTable.Value;

    public bool TryGetByName(string name, out AuditClass auditClass) => _byName.TryGetValue(name, out auditClass!);

    /// <summary>The host's table at <paramref name="path"/> (default <see cref="SystemPath"/>) when it exists, else the built-in one.</summary>
    public static AuditClassTable LoadDefault(string? path = null)
    {
        path ??= SystemPath;
        return File.Exists(path) ? Load(path) : Builtin;
    }

    public static AuditClassTable Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    public static AuditClassTable Parse(TextReader reader, string source)
    {
        var classes = new List<AuditClass>();
        var warnings = new List<string>();
        foreach (var (line, fields) in AuditTableLines.Read(reader))
        {
            if (fields.Length < 3 || !TryParseMask(fields[0], out uint mask))
            {
                warnings.Add($"{source}:{line}: expected MASK:NAME:DESCRIPTION");
                continue;
            }

            classes.Add(new AuditClass(mask, fields[1], fields[2]));
        }

        return new AuditClassTable(source, classes, warnings);
    }

    private static bool TryParseMask(string text, out uint mask) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out mask)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out mask);
}
