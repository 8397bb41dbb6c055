using System.Collections.Concurrent;
using System.Globalization;
using BsmTrace.Bsm;
using BsmTrace.Policy;
using BsmTrace.Unix;

namespace BsmTrace.Matching;

/// <summary>
/// What every partition shares, read-only: the sequences, and an index from
/// event number to the sequences that have a state accepting it, so that a
/// record is shown only to the sequences it can move (the original scanned
/// every live instance for every record).
/// </summary>
internal sealed class MatchPlan
{
    public UserDatabase Users { get; }
    private readonly ConcurrentDictionary<(int Sequence, int Zone), bool> _zoneGlobs = new();
    private readonly int _seed = Random.Shared.Next();

    public MatchPlan(CompiledPolicy policy, UserDatabase users, int maxEvidenceRecords, bool keepEvidence = true)
    {
        Users = users;
        MaxEvidenceRecords = maxEvidenceRecords;
        Sequences = [.. policy.Sequences];
        KeepsEvidence = new bool[Sequences.Length];
        for (int s = 0; s < Sequences.Length; s++)
            KeepsEvidence[s] = keepEvidence || Sequences[s].LogChannels.Any(c => c.WritesRecords);
        Candidates = BuildIndex(Sequences);
        // Events that share a list of sequences share its index too.
        var built = new Dictionary<int[], CandidateIndex>(ReferenceEqualityComparer.Instance);
        CandidateIndexes = new CandidateIndex[Candidates.Length];
        for (int e = 0; e < Candidates.Length; e++)
        {
            if (!built.TryGetValue(Candidates[e], out var index))
                built.Add(Candidates[e], index = CandidateIndex.Build(Candidates[e], Sequences));
            CandidateIndexes[e] = index;
        }

        // Asked by the reader at every batch: derived once, the policy does not change.
        UsesObjects = Sequences.Any(s => s.States.Any(st => st.Object is not null));
    }

    public SequenceDefinition[] Sequences { get; }

    public int MaxEvidenceRecords { get; }

    /// <summary>
    /// By sequence index: whether its instances keep the records that match (some output of its
    /// alerts writes them). Copying every matched record into the evidence arena is most of what
    /// twenty thousand live instances cost, and with classic lines or syslog alone no one reads them.
    /// </summary>
    public bool[] KeepsEvidence { get; }

    /// <summary>For each event number, the indices of the sequences that have a state accepting it.</summary>
    public int[][] Candidates { get; }

    /// <summary>For each event number, its candidates split by how their subject is found (see <see cref="CandidateIndex"/>).</summary>
    public CandidateIndex[] CandidateIndexes { get; }

    /// <summary>Whether any state has an object rule (else paths need not be remembered by inode).</summary>
    public bool UsesObjects { get; }

    /// <summary>
    /// Per event number, the sequences (ascending) with a state that accepts it. Built from the
    /// states' bitmaps a word at a time, and events with the same sequences share one array: a
    /// policy with <c>event any</c> would otherwise make 65,536 of them at every start and reload.
    /// </summary>
    private static int[][] BuildIndex(SequenceDefinition[] sequences)
    {
        var index = new int[ushort.MaxValue + 1][];
        for (int e = 0; e < index.Length; e++)
            index[e] = [];
        var accepted = new ulong[EventMatcher.BitmapWords];
        for (int s = 0; s < sequences.Length; s++)
        {
            Array.Clear(accepted);
            foreach (var state in sequences[s].WrittenStates)
            {
                var bits = state.Event.Bitmap;
                for (int w = 0; w < accepted.Length; w++)
                    accepted[w] |= bits[w];
            }

            // Each list that gains this sequence becomes one new list, whichever events had it.
            var extended = new Dictionary<int[], int[]>(ReferenceEqualityComparer.Instance);
            for (int w = 0; w < accepted.Length; w++)
            {
                for (ulong rest = accepted[w]; rest != 0; rest &= rest - 1)
                {
                    int e = (w << 6) | System.Numerics.BitOperations.TrailingZeroCount(rest);
                    var before = index[e];
                    if (!extended.TryGetValue(before, out var after))
                    {
                        after = new int[before.Length + 1];
                        Array.Copy(before, after, before.Length);
                        after[^1] = s;
                        extended.Add(before, after);
                    }

                    index[e] = after;
                }
            }
        }

        return index;
    }

    public bool ZoneMatches(int sequence, in AuditRecord record, int zoneId)
    {
        var rule = Sequences[sequence].Zone;
        if (rule.Kind != ZoneRuleKind.Glob || !record.HasZoneName)
            return rule.Matches(record.HasZoneName, record.ZoneName);
        if (_zoneGlobs.TryGetValue((sequence, zoneId), out bool known))
            return known;
        bool matches = rule.Matches(true, record.ZoneName);
        _zoneGlobs.TryAdd((sequence, zoneId), matches);
        return matches;
    }

    /// <summary>
    /// The random extra of a new instance's timeout (timeout-window, timeout-prob):
    /// up to window × 100 / prob seconds. Drawn from a hash of the instance with a
    /// per-process seed, so that it is unpredictable from outside and yet the same
    /// whichever worker draws it.
    /// </summary>
    public long TimeoutExtra(SequenceDefinition sequence, InstanceKey key, long firstSeconds)
    {
        if (sequence.TimeoutWindowSeconds <= 0)
            return 0;
        long max = sequence.TimeoutWindowSeconds * 100 / sequence.TimeoutProbability;
        uint draw = (uint)HashCode.Combine(_seed, key, firstSeconds);
        return draw % (max + 1);
    }

    /// <summary>A user's name for trigger arguments; the number when the database has none.</summary>
    public string UserName(uint uid) => Users.UserName(uid) ?? ((int)uid).ToString(CultureInfo.InvariantCulture);
}
