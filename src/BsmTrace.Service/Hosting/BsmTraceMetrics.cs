using System.Diagnostics.Metrics;
using BsmTrace.Matching;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The service's metrics (meter "BsmTrace"), exported for Prometheus as
/// bsmtrace_*. Per-record counts are read from the pipeline when scraped
/// (observable instruments), so matching pays nothing for them.
/// </summary>
public sealed class BsmTraceMetrics : IDisposable
{
    public const string MeterName = "BsmTrace";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _pipeDrops;
    private long _recordsBefore;
    private long _bytesBefore;
    private long _malformedBefore;
    private long _droppedBefore;
    private MatchPipeline? _pipeline;

    public BsmTraceMetrics()
    {
        _meter.CreateObservableCounter("bsmtrace.records", () => _recordsBefore + (_pipeline?.Records ?? 0), description: "Audit records read");
        _meter.CreateObservableCounter("bsmtrace.bytes", () => _bytesBefore + (_pipeline?.Bytes ?? 0), description: "Bytes of audit records read");
        _meter.CreateObservableCounter("bsmtrace.records.malformed", () => _malformedBefore + (_pipeline?.Damaged ?? 0), description: "Pieces of damaged input skipped");
        _meter.CreateObservableCounter("bsmtrace.records.dropped", () => _droppedBefore + (_pipeline?.Dropped ?? 0), description: "Records of a live source let go while the matchers were behind");
        _meter.CreateObservableGauge("bsmtrace.instances.active", () => _pipeline?.Engine.LiveInstances ?? 0, description: "Live sequence instances");
        _meter.CreateObservableCounter("bsmtrace.instances.evicted", () => Engine?.InstancesEvicted ?? 0, description: "Instances evicted to stay under the limit");
        _meter.CreateObservableGauge("bsmtrace.channel.depth", () => _pipeline?.QueueDepth ?? 0, description: "Batches waiting for the matchers");
        _meter.CreateObservableCounter("bsmtrace.sink.failures", () => Dispatcher?.SinkStatistics.Select(s => new Measurement<long>(s.Failures, new KeyValuePair<string, object?>("sink", s.Sink))) ?? [],
            description: "Alert sink failures");
        _meter.CreateObservableCounter("bsmtrace.trigger.runs", TriggerRuns, description: "Trigger commands run, by result");
        _alerts = _meter.CreateCounter<long>("bsmtrace.alerts", description: "Alerts raised");
        _reloads = _meter.CreateCounter<long>("bsmtrace.policy.reloads", description: "Policy reloads, by result");
        _pipeDrops = _meter.CreateCounter<long>("bsmtrace.pipe.drops", description: "Records the audit pipe dropped");
    }

    public MatchEngine? Engine => _pipeline?.Engine;

    public Alerts.AlertDispatcher? Dispatcher { get; set; }

    public Triggers.TriggerRunner? Triggers { get; set; }

    /// <summary>The pipeline now running; counts of the one before are kept.</summary>
    public void Track(MatchPipeline pipeline)
    {
        if (_pipeline is { } previous)
        {
            _recordsBefore += previous.Records;
            _bytesBefore += previous.Bytes;
            _malformedBefore += previous.Damaged;
            _droppedBefore += previous.Dropped;
        }

        _pipeline = pipeline;
    }

    public void Alert(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _alerts.Add(1, new KeyValuePair<string, object?>("sequence", alert.Sequence.Name), new KeyValuePair<string, object?>("priority", alert.Sequence.Priority));
    }

    public void Reload(bool succeeded) => _reloads.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "success" : "failure"));

    public void PipeDrops(long drops) => _pipeDrops.Add(drops);

    private IEnumerable<Measurement<long>> TriggerRuns()
    {
        if (Triggers is not { } t)
            yield break;
        yield return new Measurement<long>(t.Succeeded, new KeyValuePair<string, object?>("result", "success"));
        yield return new Measurement<long>(t.Failed, new KeyValuePair<string, object?>("result", "failure"));
        yield return new Measurement<long>(t.TimedOut, new KeyValuePair<string, object?>("result", "timeout"));
        yield return new Measurement<long>(t.Dropped, new KeyValuePair<string, object?>("result", "dropped"));
    }

    public void Dispose() => _meter.Dispose();
}
