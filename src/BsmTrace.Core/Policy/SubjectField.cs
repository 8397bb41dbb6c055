namespace BsmTrace.Policy;

/// <summary>The subject field a sequence selects on and keys its instances by (the set types of the language).</summary>
public enum SubjectField
{
    AuditUid,
    EffectiveUid,
    RealUid,
    EffectiveGid,
    RealGid,
}
