using System.Diagnostics.Metrics;
using BsmTrace.Matching;
using BsmTrace.Running;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The service's metrics (meter "BsmTrace"), exported for Prometheus as bsmtrace_*. Counts are
/// read from the run when scraped (observable instruments), so matching pays nothing for them;
/// the run keeps them for its whole life, over sources, reloads and retired outputs, so no
/// counter ever goes backwards.
/// </summary>
public sealed class BsmTraceMetrics : IDisposable
{
    public const string MeterName = "BsmTrace";

    /// <summary>The histogram of GC pauses, whose buckets <see cref="GcPauseBuckets"/> gives.</summary>
    public const string GcPauseHistogram = "bsmtrace.gc.pause";

    /// <summary>
    /// Bucket bounds in seconds around what matters: the audit pipe's kernel queue holds about a
    /// millisecond of records at a million a second.
    /// </summary>
    public static IReadOnlyList<double> GcPauseBuckets { get; } = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly Meter _meter = new(MeterName);
    // Alerts by (sequence, priority), every sequence of every policy applied present from the start at 0,
    // so that rate() and absent() work before the first alert; and reloads by result, both at 0.
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Sequence, int Priority), long> _alerts = [];
    private long _reloadsSucceeded;
    private long _reloadsFailed;

    /// <param name="gcPauses">Where metrics are served, the collector's pauses (not listened for otherwise).</param>
    public BsmTraceMetrics(DetectorRun run, GcPauses? gcPauses = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (gcPauses is not null)
        {
            _meter.CreateObservableGauge("bsmtrace.gc.pause.longest", () => gcPauses.Longest.TotalSeconds, unit: "s",
                description: "The longest a garbage collection has stopped every thread, since the start");
            var pauses = _meter.CreateHistogram<double>(GcPauseHistogram, unit: "s", description: "Garbage collection pauses (every thread stopped), by length");
            gcPauses.Start(pause => pauses.Record(pause.TotalSeconds));
        }

        _meter.CreateObservableCounter("bsmtrace.records", () => run.Records, description: "Audit records read");
        _meter.CreateObservableCounter("bsmtrace.bytes", () => run.Bytes, description: "Bytes of audit records read");
        _meter.CreateObservableCounter("bsmtrace.records.malformed", () => run.Damaged, description: "Pieces of damaged input skipped");
        _meter.CreateObservableCounter("bsmtrace.records.dropped", () => run.RecordsDropped, description: "Records of the audit pipe let go while the matchers were behind");
        _meter.CreateObservableGauge("bsmtrace.instances.active", () => run.LiveInstances, description: "Live sequence instances");
        _meter.CreateObservableCounter("bsmtrace.instances.evicted", () => run.InstancesEvicted, description: "Instances evicted to stay under the limit");
        _meter.CreateObservableGauge("bsmtrace.memory", () => run.Memory.Select(m => new Measurement<long>(m.Bytes, new KeyValuePair<string, object?>("part", m.Part))), unit: "By",
            description: "Bytes the budgeted parts of memory hold: evidence, remembered_paths, sink_queues");
        _meter.CreateObservableGauge("bsmtrace.memory.budget", () => run.Memory.Select(m => new Measurement<long>(m.BudgetBytes, new KeyValuePair<string, object?>("part", m.Part))), unit: "By",
            description: "Bytes each budgeted part of memory may hold (sink_queues: per output), by setting");
        _meter.CreateObservableCounter("bsmtrace.evidence.records.omitted", () => run.EvidenceRecordsRefused,
            description: "Matched records left out of evidence because the evidence budget was spent (the alerts count them as omitted)");
        _meter.CreateObservableCounter("bsmtrace.remembered_paths.evicted", () => run.RememberedPathsEvicted,
            description: "Paths the inode memory let go to stay within its count and byte budget");
        _meter.CreateObservableGauge("bsmtrace.channel.depth", () => run.QueueDepth, description: "Batches waiting for the matchers");
        _meter.CreateObservableCounter("bsmtrace.sink.failures", () => BySink(run, c => c.Failures), description: "Alerts an output failed to write, by sink");
        _meter.CreateObservableCounter("bsmtrace.alerts.dropped", () => BySink(run, c => c.Dropped),
            description: "Alerts let go because an output was behind and the audit pipe cannot wait, by sink");
        _meter.CreateObservableCounter("bsmtrace.trigger.runs", () => TriggerRuns(run.Triggers), description: "Trigger commands run, by result");
        _meter.CreateObservableCounter("bsmtrace.pattern.errors", () => PatternErrors(run),
            description: "Records whose path a pattern gave up on (a limit reached), counted as matching it, by sequence");
        _meter.CreateObservableCounter("bsmtrace.pipe.drops", () => run.PipeDrops, description: "Records the audit pipe dropped");
        if (run.KeepsCheckpoints)
        {
            _meter.CreateObservableGauge("bsmtrace.checkpoint.age", () => run.CheckpointAge.TotalSeconds, unit: "s",
                description: "How long records have been read without a checkpoint that holds them (0: nothing read since the last)");
            _meter.CreateObservableGauge("bsmtrace.checkpoint.write.duration", () => run.CheckpointWriteTime.TotalSeconds, unit: "s",
                description: "How long the last checkpoint took, the outputs' syncing included");
            _meter.CreateObservableCounter("bsmtrace.checkpoints", () => Results(("written", run.CheckpointsWritten), ("failed", run.CheckpointFailures)),
                description: "Checkpoints written, and those that could not be");
            _meter.CreateObservableCounter("bsmtrace.records.reread", () => run.RecordsReread,
                description: "Records matched again after an unclean stop (between the last checkpoint and where the stopped run had got to)");
            _meter.CreateObservableCounter("bsmtrace.checkpoint.instances", () => Results(("restored", run.InstancesRestored), ("dropped", run.InstancesDroppedAtStart)),
                description: "Live instances a checkpoint brought back at the start, and those of sequences changed since, left out");
        }

        Seed(run.Policy);
        _meter.CreateObservableCounter("bsmtrace.alerts", AlertCounts, description: "Alerts raised, by sequence and priority");
        _meter.CreateObservableCounter("bsmtrace.policy.reloads",
            () => Results(("success", Interlocked.Read(ref _reloadsSucceeded)), ("failure", Interlocked.Read(ref _reloadsFailed))),
            description: "Policy reloads, by result");
        _meter.CreateObservableGauge("bsmtrace.build.info",
            () => new Measurement<long>(1, new("version", Cli.CommandLine.Version), new("commit", Cli.CommandLine.Commit)),
            description: "bsmtrace's version and the commit it was built from (always 1)");
        run.AlertRaised += Alert;
        run.PolicyApplied += _ => Seed(run.Policy);
    }

    private void Seed(Policy.CompiledPolicy policy)
    {
        lock (_lock)
        {
            foreach (var sequence in policy.Sequences)
                _alerts.TryAdd((sequence.Name, sequence.Priority), 0);
        }
    }

    /// <summary>Every sequence with a count, 0 until its patterns first give up.</summary>
    private IEnumerable<Measurement<long>> PatternErrors(DetectorRun run)
    {
        var counts = run.PatternFailures.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        List<string> sequences;
        lock (_lock)
            sequences = [.. _alerts.Keys.Select(k => k.Sequence).Distinct(StringComparer.Ordinal)];
        foreach (var name in counts.Keys.Where(k => !sequences.Contains(k)))
            sequences.Add(name);
        return sequences.Select(name => new Measurement<long>(counts.GetValueOrDefault(name), new KeyValuePair<string, object?>("sequence", name)));
    }

    private void Alert(Alert alert)
    {
        lock (_lock)
            _alerts[(alert.Sequence.Name, alert.Sequence.Priority)] = _alerts.GetValueOrDefault((alert.Sequence.Name, alert.Sequence.Priority)) + 1;
    }

    private IEnumerable<Measurement<long>> AlertCounts()
    {
        lock (_lock)
        {
            return [.. _alerts.Select(a => new Measurement<long>(a.Value,
                new KeyValuePair<string, object?>("sequence", a.Key.Sequence), new KeyValuePair<string, object?>("priority", a.Key.Priority)))];
        }
    }

    public void Reload(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _reloadsSucceeded : ref _reloadsFailed);

    private static IEnumerable<Measurement<long>> BySink(DetectorRun run, Func<Alerts.SinkCounts, long> count) =>
        run.SinkCounts.Select(c => new Measurement<long>(count(c), new KeyValuePair<string, object?>("sink", c.Sink)));

    private static IEnumerable<Measurement<long>> Results(params (string Result, long Count)[] results) =>
        results.Select(r => new Measurement<long>(r.Count, new KeyValuePair<string, object?>("result", r.Result)));

    private static IEnumerable<Measurement<long>> TriggerRuns(TriggerCounts t)
    {
        yield return new Measurement<long>(t.Succeeded, new KeyValuePair<string, object?>("result", "success"));
        yield return new Measurement<long>(t.Failed, new KeyValuePair<string, object?>("result", "failure"));
        yield return new Measurement<long>(t.TimedOut, new KeyValuePair<string, object?>("result", "timeout"));
        yield return new Measurement<long>(t.Dropped, new KeyValuePair<string, object?>("result", "dropped"));
    }

    public void Dispose() => _meter.Dispose();
}
