using BsmTrace.Events;
using BsmTrace.Unix;

namespace BsmTrace.Policy;

/// <summary>What names in a policy resolve against: the event and class tables and the user database.</summary>
public sealed record PolicyEnvironment(AuditEventTable Events, AuditClassTable Classes, UserDatabase Users)
{
    /// <summary>
    /// Where a trigger's program named without a '/' is looked for: PATH's directories, of which
    /// only absolute ones count (an empty or relative entry would mean wherever bsmtrace was
    /// started from).
    /// </summary>
    public string? SearchPath { get; init; } = Environment.GetEnvironmentVariable("PATH");

    /// <summary>The user the service becomes (<c>--user</c>): its files are as trusted as root's. Null for none.</summary>
    public ServiceAccount? Account { get; init; }

    /// <summary>How much work each pcre pattern may do on one path.</summary>
    public Pcre.PcreLimits PatternLimits { get; init; } = Pcre.PcreLimits.Default;

    /// <summary>The host's tables when present (or the given files), else the built-in OpenBSM ones.</summary>
    /// <exception cref="IOException">A table named by <paramref name="eventFile"/> or <paramref name="classFile"/> cannot be read, or is not a table: one line naming the option.</exception>
    public static PolicyEnvironment Load(string? eventFile = null, string? classFile = null, UserDatabase? users = null)
    {
        var classes = classFile is null
            ? AuditClassTable.LoadDefault()
            : ReadTable(classFile, "--class-file (BsmTrace:ClassFile)", "audit classes (lines of MASK:NAME:DESCRIPTION)", AuditClassTable.Load, t => t.Classes.Count);
        string events = eventFile ?? AuditEventTable.SystemPath;
        var table = eventFile is not null
            ? ReadTable(eventFile, "--event-file (BsmTrace:EventFile)", "audit events (lines of NUMBER:NAME:DESCRIPTION:CLASSES)", p => AuditEventTable.Load(p, classes), t => t.Events.Count)
            : File.Exists(events) ? AuditEventTable.Load(events, classes) : AuditEventTable.Builtin;
        return new PolicyEnvironment(table, classes, users ?? new UserDatabase());
    }

    /// <summary>A table the user named: one that cannot be read, or holds no entry, is said in one line naming the option.</summary>
    private static T ReadTable<T>(string path, string option, string what, Func<string, T> load, Func<T, int> count)
    {
        T table;
        try
        {
            table = load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string why = Directory.Exists(path) ? "is a directory"
                : e is FileNotFoundException or DirectoryNotFoundException ? "no such file"
                : e is UnauthorizedAccessException ? "permission denied"
                : e.Message;
            throw new IOException($"{option} {path}: {why}", e);
        }

        return count(table) > 0 ? table : throw new IOException($"{option} {path}: holds no {what}; is it the right file?");
    }

    /// <summary>The built-in tables and the system's user database: what tests and hosts without audit tables use.</summary>
    public static PolicyEnvironment Builtin(UserDatabase? users = null) =>
        new(AuditEventTable.Builtin, AuditClassTable.Builtin, users ?? new UserDatabase());
}
