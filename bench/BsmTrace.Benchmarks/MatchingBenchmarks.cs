using BenchmarkDotNet.Attributes;
using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Unix;

namespace BsmTrace.Benchmarks;

/// <summary>
/// Matching cost per record with few and with many live subjects: the
/// original fell 36 times from 20 to 20,000 subjects; an indexed matcher
/// must not fall. The engine is warmed with the trail first, so that every
/// subject has its live instances (the steady state of a busy host), and then
/// matches the trail again in each operation. One operation is one record.
/// </summary>
[MemoryDiagnoser]
public class MatchingBenchmarks
{
    private const int RecordCount = 200_000;
    private RecordBatch[] _batches = [];
    private CompiledPolicy _policy = null!;
    private MatchEngine _engine = null!;

    [Params(20, 20_000)]
    public int Subjects { get; set; }

    [Params(1)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var load = PolicyLoader.LoadText(BenchPolicy.Text, "bench.conf", PolicyEnvironment.Builtin());
        _policy = load.Policy ?? throw new InvalidOperationException(string.Join("\n", load.Errors));
        var batcher = new RecordBatcher(65_536);
        var batches = new List<RecordBatch>();
        var batch = new RecordBatch(1024);
        foreach (var raw in TrailFactory.Records(RecordCount, Subjects))
        {
            AuditRecord.TryParse(raw, 0, out var record, out _);
            if (!batch.HasRoomFor(raw.Length))
            {
                batches.Add(batch);
                batch = new RecordBatch(1024);
            }

            batcher.Add(batch, record);
        }

        batches.Add(batch);
        _batches = [.. batches];

        _engine = new MatchEngine(_policy, new MatchEngineOptions { Workers = Workers }, new UserDatabase());
        var warmUp = new RecordBatch(1024);
        foreach (var raw in TrailFactory.WarmUp(Subjects))
        {
            AuditRecord.TryParse(raw, 0, out var record, out _);
            if (!warmUp.HasRoomFor(raw.Length))
            {
                _engine.Process(warmUp, "bench");
                warmUp.Clear();
            }

            batcher.Add(warmUp, record);
        }

        _engine.Process(warmUp, "bench");
        MatchRecords();
        if (_engine.LiveInstances < Subjects)
            throw new InvalidOperationException($"only {_engine.LiveInstances} live instances for {Subjects} subjects");
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int MatchRecords()
    {
        int alerts = 0;
        foreach (var batch in _batches)
            alerts += _engine.Process(batch, "bench").Alerts.Count;
        return alerts;
    }
}
