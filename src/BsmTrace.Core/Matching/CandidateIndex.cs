using BsmTrace.Bsm;
using BsmTrace.Policy;

namespace BsmTrace.Matching;

/// <summary>
/// The sequences one event can move, split so that a record is shown only to those that can take
/// its subject: the sequences for any subject (or all but some) are listed, and those for an
/// explicit set of ids are found by the record's id in that field. A policy of thousands of
/// sequences, each for its own users, then costs a few lookups per record, not a test per sequence.
/// </summary>
internal sealed class CandidateIndex
{
    public static CandidateIndex Empty { get; } = new([], []);

    private CandidateIndex(int[] general, ExplicitSubjects[] explicitSubjects)
    {
        General = general;
        Explicit = explicitSubjects;
    }

    /// <summary>Sequences to test one by one (any subject, or a negated set), ascending.</summary>
    public int[] General { get; }

    /// <summary>Per subject field, the sequences (ascending) whose explicit set holds each id.</summary>
    public ExplicitSubjects[] Explicit { get; }

    /// <summary>
    /// One field's ids in ascending order, each with its sequences: searched by halving, which for
    /// the usual handful of ids costs less than hashing, and for thousands a dozen steps.
    /// </summary>
    internal sealed class ExplicitSubjects(SubjectField field, uint[] ids, int[][] sequences)
    {
        public SubjectField Field { get; } = field;

        public int[]? Find(uint id)
        {
            int low = 0, high = ids.Length - 1;
            while (low <= high)
            {
                int middle = (low + high) >>> 1;
                uint value = ids[middle];
                if (value == id)
                    return sequences[middle];
                if (value < id)
                    low = middle + 1;
                else
                    high = middle - 1;
            }

            return null;
        }
    }

    public static CandidateIndex Build(int[] candidates, SequenceDefinition[] sequences)
    {
        if (candidates.Length == 0)
            return Empty;
        var general = new List<int>();
        var byField = new Dictionary<SubjectField, Dictionary<uint, List<int>>>();
        foreach (int s in candidates)
        {
            var subject = sequences[s].Subject;
            if (subject.IsAny || subject.Negated)
            {
                general.Add(s);
                continue;
            }

            if (!byField.TryGetValue(subject.Field, out var ids))
                byField.Add(subject.Field, ids = []);
            foreach (uint id in subject.SortedIds)
            {
                if (!ids.TryGetValue(id, out var list))
                    ids.Add(id, list = []);
                list.Add(s); // candidates ascend, so each list does
            }
        }

        return new CandidateIndex(
            [.. general],
            [.. byField.Select(f =>
            {
                var ids = f.Value.Keys.Order().ToArray();
                return new ExplicitSubjects(f.Key, ids, [.. ids.Select(id => f.Value[id].ToArray())]);
            })]);
    }

    /// <summary>
    /// The sequences that may take <paramref name="record"/>, ascending, in <paramref name="buffer"/>
    /// (grown as needed); those of <see cref="General"/> still need their subject tested, the others
    /// hold the record's id already.
    /// </summary>
    public ReadOnlySpan<int> For(in AuditRecord record, ref int[] buffer)
    {
        if (Explicit.Length == 0 || !record.HasSubject)
            return General; // a record without a subject is taken only by "any"
        int[]? only = null;
        int count = 0;
        int sources = 0;
        foreach (var subjects in Explicit)
        {
            if (subjects.Find(SubjectSelector.IdOf(subjects.Field, record.Subject)) is not { } found)
                continue;
            if (sources++ == 0 && General.Length == 0)
            {
                only = found; // one list alone: no copy
                continue;
            }

            if (only is not null)
            {
                Append(ref buffer, ref count, only);
                only = null;
            }

            Append(ref buffer, ref count, found);
        }

        if (sources == 0)
            return General;
        if (only is not null)
            return only;
        Append(ref buffer, ref count, General);
        var span = buffer.AsSpan(0, count);
        span.Sort(); // the order of the sequences in the policy, as the alerts of one record come out
        return span;
    }

    private static void Append(ref int[] buffer, ref int count, int[] items)
    {
        if (count + items.Length > buffer.Length)
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, count + items.Length));
        items.CopyTo(buffer, count);
        count += items.Length;
    }
}
