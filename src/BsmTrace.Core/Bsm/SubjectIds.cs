namespace BsmTrace.Bsm;

/// <summary>The identity fields of a subject token (any of its four forms).</summary>
public readonly record struct SubjectIds(uint AuditUid, uint EffectiveUid, uint EffectiveGid, uint RealUid, uint RealGid, uint Pid, uint SessionId);
