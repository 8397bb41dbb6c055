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
    public static PolicyEnvironment Load(string? eventFile = null, string? classFile = null, UserDatabase? users = null)
    {
        var classes = AuditClassTable.LoadDefault(classFile);
        string events = eventFile ?? AuditEventTable.SystemPath;
        var table = eventFile is not null || File.Exists(events) ? AuditEventTable.Load(events, classes) : AuditEventTable.Builtin;
        return new PolicyEnvironment(table, classes, users ?? new UserDatabase());
    }

    /// <summary>The built-in tables and the system's user database: what tests and hosts without audit tables use.</summary>
    public static PolicyEnvironment Builtin(UserDatabase? users = null) =>
        new(AuditEventTable.Builtin, AuditClassTable.Builtin, users ?? new UserDatabase());
}
