using BenchmarkDotNet.Attributes;
using BsmTrace.Matching;
using BsmTrace.Policy;
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
        _policy = BenchSetup.Policy();
        var batcher = new RecordBatcher(65_536);
        var batches = new List<RecordBatch>();
        batches.Add(BenchSetup.Batch(TrailFactory.Records(RecordCount, Subjects), batcher, new RecordBatch(1024), full =>
        {
            batches.Add(full);
            return new RecordBatch(1024);
        }));
        _batches = [.. batches];

        _engine = new MatchEngine(_policy, new MatchEngineOptions { Workers = Workers }, new UserDatabase());
        BenchSetup.WarmUp(_engine, new RecordBatcher(65_536), Subjects);
        MatchRecords();
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
