namespace BsmTrace.Matching;

/// <summary>
/// What one live instance of a sequence is for: the sequence, the value of its
/// keyed subject field, the pid or session id under a process or session scope,
/// and the zone for sequences bound to zones. There is at most one live
/// instance per key.
/// </summary>
/// <param name="NoSubject">The record had no subject token (only <c>subject any</c> takes such records); kept apart from every real id.</param>
public readonly record struct InstanceKey(int Sequence, uint Subject, uint ScopeId, int Zone, bool NoSubject)
{
    // Equality and hash written out, for dictionaries keyed through KeyComparer<InstanceKey>:
    // what the compiler generates for a record struct goes through generic comparers that
    // precompiled code cannot inline.
    public bool Equals(InstanceKey other) =>
        Subject == other.Subject && Sequence == other.Sequence && ScopeId == other.ScopeId && Zone == other.Zone && NoSubject == other.NoSubject;

    public override int GetHashCode()
    {
        ulong a = ((ulong)(uint)Sequence << 32) | Subject;
        ulong b = ((ulong)ScopeId << 32) | (uint)Zone;
        ulong h = (a ^ (b * 0xBF58476D1CE4E5B9UL) ^ (NoSubject ? 0x94D049BB133111EBUL : 0)) * 0x9E3779B97F4A7C15UL;
        return (int)(h >> 32) ^ (int)h;
    }
}
