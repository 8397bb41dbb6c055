using System.Globalization;

namespace BsmTrace.Events;

/// <summary>
/// The audit events: numbers to names, descriptions and class masks. Read from
/// the host's audit_event(5) when it has one, else from the built-in copy of
/// the standard OpenBSM table. Where a number appears twice the first line
/// wins, as in libbsm's getauevnum(3).
/// </summary>
public sealed class AuditEventTable
{
    /// <summary>Where FreeBSD and macOS keep the table.</summary>
    public const string SystemPath = "/etc/security/audit_event";

    private static readonly Lazy<AuditEventTable> BuiltinTable = new(() =>
    {
        using var reader = new StreamReader(AuditTableLines.OpenBuiltin("audit_event"));
        return Parse(reader, "built-in audit_event", AuditClassTable.Builtin);
    });

    private readonly AuditEvent?[] _byNumber = new AuditEvent?[ushort.MaxValue + 1];
    // A flat array so that a class check on the hot path is one load, not a file read (the original reread the table for every check).
    private readonly uint[] _classMasks = new uint[ushort.MaxValue + 1];
    private readonly Dictionary<string, AuditEvent> _byName = new(StringComparer.Ordinal);

    private AuditEventTable(string source, List<AuditEvent> events, List<string> warnings)
    {
        Source = source;
        Events = events;
        Warnings = warnings;
        foreach (var e in events)
        {
            if (_byNumber[e.Number] is null)
            {
                _byNumber[e.Number] = e;
                _classMasks[e.Number] = e.ClassMask;
            }

            _byName.TryAdd(e.Name, e);
        }
    }

    /// <summary>Where the table came from: a file path or "built-in audit_event".</summary>
    public string Source { get; }

    public IReadOnlyList<AuditEvent> Events { get; }

    /// <summary>Lines that were skipped, each as FILE:LINE: reason.</summary>
    public IReadOnlyList<string> Warnings { get; }

    public static AuditEventTable Builtin => BuiltinTable.Value;

    public bool TryGetByNumber(ushort number, out AuditEvent auditEvent)
    {
        auditEvent = _byNumber[number]!;
        return auditEvent is not null;
    }

    public bool TryGetByName(string name, out AuditEvent auditEvent) => _byName.TryGetValue(name, out auditEvent!);

    /// <summary>The classes an event belongs to; 0 for an unknown event.</summary>
    public uint ClassMask(ushort number) => _classMasks[number];

    /// <summary>The host's tables when they exist (paths default to the system's), else the built-in ones.</summary>
    public static AuditEventTable LoadDefault(string? eventPath = null, string? classPath = null)
    {
        eventPath ??= SystemPath;
        return File.Exists(eventPath) ? Load(eventPath, AuditClassTable.LoadDefault(classPath)) : Builtin;
    }

    public static AuditEventTable Load(string path, AuditClassTable classes)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path, classes);
    }

    public static AuditEventTable Parse(TextReader reader, string source, AuditClassTable classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var events = new List<AuditEvent>();
        var warnings = new List<string>();
        foreach (var (line, fields) in AuditTableLines.Read(reader))
        {
            if (fields.Length < 3 || !ushort.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out ushort number))
            {
                warnings.Add($"{source}:{line}: expected NUMBER:NAME:DESCRIPTION:CLASSES with a number from 0 to 65535");
                continue;
            }

            uint mask = 0;
            if (fields.Length > 3)
            {
                foreach (var name in fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (classes.TryGetByName(name, out var auditClass))
                        mask |= auditClass.Mask;
                    else
                        warnings.Add($"{source}:{line}: event {fields[1]} names unknown class '{name}'");
                }
            }

            events.Add(new AuditEvent(number, fields[1], fields[2], mask));
        }

        return new AuditEventTable(source, events, warnings);
    }
}
