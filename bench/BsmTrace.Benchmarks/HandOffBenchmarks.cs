using BenchmarkDotNet.Attributes;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Sources;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging.Abstractions;

namespace BsmTrace.Benchmarks;

/// <summary>
/// The pipeline around matching: the reader thread framing and batching, the
/// hand-off of batches through the channel to the matcher and back to the
/// pool. The policy matches nothing, so what is measured is the pipeline
/// itself; compare with <see cref="DecodeBenchmarks.FrameDecodeAndBatch"/>
/// for what the hand-off adds. One operation is one record.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    // Enough records that the pool of batches, made once per run, weighs little per record.
    private const int RecordCount = 2_000_000;
    private byte[] _trail = [];
    private CompiledPolicy _policy = null!;

    [GlobalSetup]
    public void Setup()
    {
        _trail = TrailFactory.Records(RecordCount, 20).SelectMany(r => r).ToArray();
        var load = PolicyLoader.LoadText("sequence none { subject any; state { event <auditevent> { 65000; }; status any; }; };", "none.conf", PolicyEnvironment.Builtin());
        _policy = load.Policy ?? throw new InvalidOperationException(string.Join("\n", load.Errors));
    }

    [GlobalCleanup]
    public void Cleanup() => _policy.Dispose();

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public long Pipeline()
    {
        var engine = new MatchEngine(_policy, new MatchEngineOptions { Workers = 1 }, new UserDatabase());
        var pipeline = new MatchPipeline(engine, new NothingFound(), NullLogger.Instance);
        var segment = new SourceSegment(new MemoryStream(_trail, writable: false), new SourcePosition(default, "bench", 0, 0, IsFile: true), readToEnd: true);
        pipeline.RunAsync(segment, "bench", new MatchPipelineOptions()).GetAwaiter().GetResult();
        return pipeline.Records;
    }

    /// <summary>The policy matches nothing: there is nothing to hand on.</summary>
    private sealed class NothingFound : IMatchConsumer
    {
        public void BeforeBatch(MatchPipeline pipeline)
        {
        }

        public ValueTask ConsumeAsync(BatchResult result, RecordBatch batch, string source) => ValueTask.CompletedTask;
    }
}
