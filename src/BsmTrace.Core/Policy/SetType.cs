namespace BsmTrace.Policy;

/// <summary>The ten set types of the language, by the names written between &lt; and &gt;.</summary>
public enum SetType
{
    Auid,
    Euid,
    Ruid,
    Egid,
    Rgid,
    AuditEvent,
    AuditClass,
    Path,
    Pcre,
    LogChannel,
}

public static class SetTypes
{
    public static IReadOnlyList<string> Names { get; } = ["auid", "euid", "ruid", "egid", "rgid", "auditevent", "auditclass", "path", "pcre", "logchannel"];

    public static bool TryParse(string name, out SetType type)
    {
        // A loop, not a list made per call: a policy of thousands of sets asks this for each.
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                type = (SetType)i;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static string Name(this SetType type) => Names[(int)type];

    public static bool IsSubject(this SetType type) => type <= SetType.Rgid;

    public static bool IsGroup(this SetType type) => type is SetType.Egid or SetType.Rgid;

    public static bool IsEvent(this SetType type) => type is SetType.AuditEvent or SetType.AuditClass;

    public static bool IsObject(this SetType type) => type is SetType.Path or SetType.Pcre;

    public static SubjectField ToSubjectField(this SetType type) => type switch
    {
        SetType.Auid => SubjectField.AuditUid,
        SetType.Euid => SubjectField.EffectiveUid,
        SetType.Ruid => SubjectField.RealUid,
        SetType.Egid => SubjectField.EffectiveGid,
        SetType.Rgid => SubjectField.RealGid,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a subject set type"),
    };
}
