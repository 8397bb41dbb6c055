using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging.Abstractions;

namespace BsmTrace.Tests.Robustness;

/// <summary>A source faster than the matchers: a file waits for them; the audit pipe lets records go and counts them.</summary>
public sealed class OverloadTests
{
    /// <summary>Matchers far slower than the source: each batch takes 20 ms before it is matched.</summary>
    private sealed class SlowMatchers : IMatchConsumer
    {
        public long Alerts { get; private set; }

        public void BeforeBatch(MatchPipeline pipeline) => Thread.Sleep(20);

        public ValueTask ConsumeAsync(BatchResult result, RecordBatch batch, string source)
        {
            Alerts += result.Alerts.Count;
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<(MatchPipeline Pipeline, long Alerts)> RunWithSlowMatchers(bool dropWhenBehind)
    {
        var policy = Policies.Compile("sequence each { subject any; state { event any; status any; }; };");
        var engine = new MatchEngine(policy, new MatchEngineOptions { Workers = 1 }, new UserDatabase());
        var matchers = new SlowMatchers();
        var pipeline = new MatchPipeline(engine, matchers, NullLogger.Instance);

        var trail = Trails.Concat(Trails.Execs(2000));
        var segment = new BsmTrace.Sources.SourceSegment(new MemoryStream(trail), new BsmTrace.Sources.SourcePosition(default, "overload", 0, 1, IsFile: false), readToEnd: false);
        await pipeline.RunAsync(segment, "overload",
            new MatchPipelineOptions { BatchSize = 16, QueuedBatches = 1, Live = true, DropWhenBehind = dropWhenBehind });
        return (pipeline, matchers.Alerts);
    }

    [Fact]
    public async Task A_file_source_waits_for_the_matchers_and_loses_nothing()
    {
        var (pipeline, alerts) = await RunWithSlowMatchers(dropWhenBehind: false);
        Assert.Equal(2000, pipeline.Records);
        Assert.Equal(0, pipeline.Dropped);
        Assert.Equal(2000, alerts);
    }

    [Fact]
    public async Task The_audit_pipe_is_never_made_to_wait_and_what_is_let_go_is_counted()
    {
        var (pipeline, alerts) = await RunWithSlowMatchers(dropWhenBehind: true);
        Assert.Equal(2000, pipeline.Records);
        Assert.True(pipeline.Dropped > 0, "nothing was let go although the matchers were behind");
        Assert.Equal(2000, alerts + pipeline.Dropped);
    }
}
