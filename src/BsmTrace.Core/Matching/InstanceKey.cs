namespace BsmTrace.Matching;

/// <summary>
/// What one live instance of a sequence is for: the sequence, the value of its
/// keyed subject field, the pid or session id under a process or session scope,
/// and the zone for sequences bound to zones. There is at most one live
/// instance per key.
/// </summary>
/// <param name="NoSubject">The record had no subject token (only <c>subject any</c> takes such records); kept apart from every real id.</param>
public readonly record struct InstanceKey(int Sequence, uint Subject, uint ScopeId, int Zone, bool NoSubject);
