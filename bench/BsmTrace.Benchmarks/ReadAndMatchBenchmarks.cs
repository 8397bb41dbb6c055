using BenchmarkDotNet.Attributes;
using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Unix;

namespace BsmTrace.Benchmarks;

/// <summary>
/// Records per second through the whole in-process path of a trail run —
/// frame, decode, batch (inode memory, zones), match — with 20 and with
/// 20,000 live subjects, on one thread. The engine is warmed first so that
/// every subject has its live instances, its brute-force instance at its last state (see TrailFactory.WarmUp). One operation is one record.
/// </summary>
[MemoryDiagnoser]
public class ReadAndMatchBenchmarks
{
    private const int RecordCount = 200_000;
    private byte[] _trail = [];
    private MatchEngine _engine = null!;
    private RecordBatcher _batcher = null!;
    private readonly RecordBatch _batch = new(1024);

    [Params(20, 20_000)]
    public int Subjects { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _trail = TrailFactory.Records(RecordCount, Subjects).SelectMany(r => r).ToArray();
        _engine = new MatchEngine(BenchSetup.Policy(), new MatchEngineOptions { Workers = 1 }, new UserDatabase());
        _batcher = new RecordBatcher(65_536);
        BenchSetup.WarmUp(_engine, _batcher, Subjects);
        ReadAndMatch();
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int ReadAndMatch()
    {
        int alerts = 0;
        using var reader = new BsmRecordReader(new MemoryStream(_trail, writable: false));
        while (reader.TryReadFrame(out var frame))
        {
            if (frame.Kind != BsmFrameKind.Record)
                continue;
            if (!_batch.HasRoomFor(frame.Bytes.Length))
                alerts += Flush();
            _batcher.TryAdd(_batch, frame, out _);
            if (_batch.IsFull)
                alerts += Flush();
        }

        return alerts + Flush();
    }

    private int Flush()
    {
        int alerts = _engine.Process(_batch, "bench").Alerts.Count;
        _batch.Clear();
        return alerts;
    }
}
