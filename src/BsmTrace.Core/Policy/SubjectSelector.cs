using BsmTrace.Bsm;

namespace BsmTrace.Policy;

/// <summary>
/// A sequence's subject rule: which records it considers, and the subject
/// field that keys its instances. <c>subject any</c> takes every record
/// (even one without a subject token) and keys by audit user id.
/// </summary>
public sealed class SubjectSelector
{
    // The ids in order, searched by Matches, which is asked for nearly every record. Not a frozen or
    // hash set: precompiled code can only call those through generic code the JIT compiles
    // unoptimised first (a run under a second may never get further), and building a frozen set
    // loaded an assembly and compiled a score of methods at start-up (30 ms of 200).
    private readonly uint[] _sorted;

    private SubjectSelector(SubjectField field, bool isAny, bool negated, uint[] sorted, string description)
    {
        Field = field;
        IsAny = isAny;
        Negated = negated;
        _sorted = sorted;
        Description = description;
    }

    public static SubjectSelector Any { get; } = new(SubjectField.AuditUid, isAny: true, negated: false, [], "any");

    public static SubjectSelector For(SubjectField field, bool negated, ReadOnlySpan<uint> ids, string description) =>
        new(field, isAny: false, negated, SortedDistinct(ids), description);

    /// <summary>The ids in ascending order, each once.</summary>
    internal static uint[] SortedDistinct(ReadOnlySpan<uint> ids)
    {
        var sorted = new uint[ids.Length];
        for (int i = 0; i < sorted.Length; i++)
            sorted[i] = ids[i];
        // The untyped overload: it sorts with code the framework precompiled for uint, where
        // Array.Sort<uint> and slicing a uint[] are generic methods compiled at every start.
        Array.Sort((Array)sorted);
        int distinct = 0;
        foreach (uint id in sorted)
        {
            if (distinct == 0 || sorted[distinct - 1] != id)
                sorted[distinct++] = id;
        }

        if (distinct == sorted.Length)
            return sorted;
        var result = new uint[distinct];
        Array.Copy(sorted, result, distinct);
        return result;
    }

    /// <summary>The ids as "0,1001" (for fingerprints and descriptions).</summary>
    internal static string Join(ReadOnlySpan<uint> ids)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < ids.Length; i++)
        {
            if (i > 0)
                text.Append(',');
            text.Append(ids[i]);
        }

        return text.ToString();
    }

    public SubjectField Field { get; }

    public bool IsAny { get; }

    public bool Negated { get; }

    /// <summary>The ids of the set, in ascending order, each once.</summary>
    public IReadOnlyList<uint> Ids => _sorted;

    /// <summary><see cref="Ids"/> without the interface (whose generic code over uint is compiled at every start).</summary>
    internal ReadOnlySpan<uint> SortedIds => _sorted;

    /// <summary>How the policy wrote it, for diagnostics and for telling two selectors apart.</summary>
    public string Description { get; }

    /// <summary>Whether the sequence considers this record. A record without a subject token has no ids to test, so only <c>any</c> takes it.</summary>
    public bool Matches(in AuditRecord record)
    {
        if (IsAny)
            return true;
        if (!record.HasSubject)
            return false;
        return Contains(KeyOf(record.Subject)) != Negated;
    }

    private bool Contains(uint id)
    {
        var sorted = _sorted;
        int low = 0, high = sorted.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            uint value = sorted[middle];
            if (value == id)
                return true;
            if (value < id)
                low = middle + 1;
            else
                high = middle - 1;
        }

        return false;
    }

    /// <summary>The value of the keyed field: the subject of an alert and the main part of an instance's key.</summary>
    public uint KeyOf(in SubjectIds ids) => IdOf(Field, ids);

    /// <summary>The value of <paramref name="field"/> among a record's subject ids.</summary>
    public static uint IdOf(SubjectField field, in SubjectIds ids) => field switch
    {
        SubjectField.AuditUid => ids.AuditUid,
        SubjectField.EffectiveUid => ids.EffectiveUid,
        SubjectField.RealUid => ids.RealUid,
        SubjectField.EffectiveGid => ids.EffectiveGid,
        _ => ids.RealGid,
    };

    /// <summary>The word the classic alert line uses for the keyed field.</summary>
    public string FieldName => Field switch
    {
        SubjectField.AuditUid => "auid",
        SubjectField.EffectiveUid => "euid",
        SubjectField.RealUid => "ruid",
        SubjectField.EffectiveGid => "egid",
        _ => "rgid",
    };
}
