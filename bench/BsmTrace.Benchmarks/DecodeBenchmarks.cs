using BenchmarkDotNet.Attributes;
using BsmTrace.Bsm;
using BsmTrace.Matching;

namespace BsmTrace.Benchmarks;

/// <summary>
/// The reader's share of a record, step by step: framing alone (header length
/// and trailer), framing and decoding the fields the matcher needs, and then
/// framing and decoding into a batch as the pipeline's reader does (the copy,
/// the inode memory, zones). One operation is one record of the benchmark mix.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private const int RecordCount = 200_000;
    private byte[] _trail = [];
    private readonly RecordBatch _batch = new(8192, 8192 * 256);
    private RecordBatcher _batcher = null!;

    [GlobalSetup]
    public void Setup()
    {
        _trail = TrailFactory.Records(RecordCount, 20).SelectMany(r => r).ToArray();
        _batcher = new RecordBatcher(65_536);
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public long Frame()
    {
        long bytes = 0;
        using var reader = new BsmRecordReader(new MemoryStream(_trail, writable: false));
        while (reader.TryReadFrame(out var frame))
            bytes += frame.Bytes.Length;
        return bytes;
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public long FrameAndDecode()
    {
        long events = 0;
        using var reader = new BsmRecordReader(new MemoryStream(_trail, writable: false));
        while (reader.TryRead(out var record))
            events += record.EventType;
        return events;
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int FrameDecodeAndBatch()
    {
        int batches = 0;
        using var reader = new BsmRecordReader(new MemoryStream(_trail, writable: false));
        while (reader.TryReadFrame(out var frame))
        {
            if (frame.Kind != BsmFrameKind.Record)
                continue;
            if (!_batch.HasRoomFor(frame.Bytes.Length))
            {
                _batch.Clear();
                batches++;
            }

            _batcher.TryAdd(_batch, frame, out _);
        }

        _batch.Clear();
        return batches;
    }
}
