using BsmTrace.Bsm;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Policy.Binding;

namespace BsmTrace.Benchmarks;

/// <summary>What the matching benchmarks share: the compiled policy, and feeding records to an engine in batches.</summary>
internal static class BenchSetup
{
    public static CompiledPolicy Policy()
    {
        var load = PolicyLoader.LoadText(BenchPolicy.Text, "bench.conf", PolicyEnvironment.Builtin());
        return load.Policy ?? throw new InvalidOperationException(string.Join("\n", load.Errors));
    }

    /// <summary>Puts records into batches, handing each full one to <paramref name="full"/>; returns the last, partly filled.</summary>
    public static RecordBatch Batch(IEnumerable<byte[]> records, RecordBatcher batcher, RecordBatch batch, Func<RecordBatch, RecordBatch> full)
    {
        foreach (var raw in records)
        {
            if (!batch.HasRoomFor(raw.Length))
                batch = full(batch);
            batcher.TryAdd(batch, new BsmFrame(BsmFrameKind.Record, 0, raw), out _);
        }

        return batch;
    }

    /// <summary>Runs the warm-up trail through the engine, so that every subject has its live instances.</summary>
    public static void WarmUp(MatchEngine engine, RecordBatcher batcher, int subjects)
    {
        var last = Batch(TrailFactory.WarmUp(subjects), batcher, new RecordBatch(1024), b =>
        {
            engine.Process(b, "bench");
            b.Clear();
            return b;
        });
        engine.Process(last, "bench");
    }
}
