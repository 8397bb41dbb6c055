using BsmTrace.Matching;
using BsmTrace.Policy.Pcre;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Running;

/// <summary>
/// Records whose path a pattern gave up on (and which therefore counted as matching): counted by
/// sequence for the metrics, and said in the log with the record's place, at most once a minute
/// per sequence, so that a flood of crafted paths cannot flood the log as well.
/// </summary>
internal sealed class PatternFailureCounts(ILogger logger, string source)
{
    private const long QuietMilliseconds = 60_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _bySequence = new(StringComparer.Ordinal);

    /// <summary>The count so far for each sequence that has had one.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Counts
    {
        get
        {
            lock (_lock)
                return [.. _bySequence.Select(e => KeyValuePair.Create(e.Key, e.Value.Count))];
        }
    }

    public void Add(PatternFailure failure)
    {
        long now = Environment.TickCount64;
        long count;
        long unsaid;
        lock (_lock)
        {
            if (!_bySequence.TryGetValue(failure.Sequence.Name, out var entry))
                entry = new Entry { SaidAt = now - QuietMilliseconds };
            entry.Count++;
            entry.Unsaid++;
            count = entry.Count;
            unsaid = entry.Unsaid;
            bool say = now - entry.SaidAt >= QuietMilliseconds;
            if (say)
            {
                entry.SaidAt = now;
                entry.Unsaid = 0;
            }

            _bySequence[failure.Sequence.Name] = entry;
            if (!say)
                return;
        }

        logger.LogWarning(
            "Pattern \"{Pattern}\" of sequence {Sequence} gave up on the path of the record at byte {Offset} of {Source} ({Reason}); the record counts as matching it. {Count} records so far ({Unsaid} since last said): bsmtrace_pattern_errors_total",
            failure.Pattern.Pattern, failure.Sequence.Name, failure.RecordOffset, source, PcrePattern.Describe(failure.Error), count, unsaid);
    }

    private struct Entry
    {
        public long Count;
        public long Unsaid;
        public long SaidAt;
    }
}
