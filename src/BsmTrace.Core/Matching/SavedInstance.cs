namespace BsmTrace.Matching;

/// <summary>
/// A live instance as a checkpoint keeps it: its sequence (by name and the fingerprint of its
/// definition, so that a changed sequence's instances are not carried into it), its key, the
/// state it waits for, its times (the expiry with its random extra, as drawn), and its evidence.
/// </summary>
/// <param name="Zone">The key's zone id (0: none), an index into the checkpoint's zone names.</param>
/// <param name="Next">The index of the state the instance waits for.</param>
/// <param name="StartIndex">The stream index of its first record (its age).</param>
/// <param name="Matched">Records that matched a state, kept or not.</param>
/// <param name="Records">The kept records, in the order they matched (the first ones, then the latest).</param>
public sealed record SavedInstance(
    string Sequence,
    string Fingerprint,
    uint Subject,
    uint ScopeId,
    int Zone,
    bool NoSubject,
    int Next,
    long FirstSeconds,
    long? ExpiresAfter,
    long StartIndex,
    long Matched,
    IReadOnlyList<byte[]> Records);
