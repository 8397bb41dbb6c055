using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging.Abstractions;

namespace BsmTrace.Tests.Robustness;

/// <summary>A source faster than the matchers: a file waits for them; the audit pipe lets records go and counts them.</summary>
public sealed class OverloadTests
{
    private static async Task<(MatchPipeline Pipeline, long Alerts)> RunWithSlowMatchers(bool dropWhenBehind)
    {
        var policy = Policies.Compile("sequence each { subject any; state { event any; status any; }; };");
        var engine = new MatchEngine(policy, new MatchEngineOptions { Workers = 1 }, new UserDatabase());
        var dispatcher = new AlertDispatcher([], new Dictionary<string, AlertSink>(), NullLogger.Instance);
        var pipeline = new MatchPipeline(engine, dispatcher, null, null, NullLogger.Instance,
            new MatchPipelineOptions { BatchSize = 16, QueuedBatches = 1, Live = true, DropWhenBehind = dropWhenBehind });
        pipeline.BetweenBatches += () => Thread.Sleep(20); // matchers far slower than the source

        var trail = Trails.Concat(Trails.Execs(2000));
        await pipeline.RunAsync(new MemoryStream(trail), "overload");
        long alerts = dispatcher.PublishedCount;
        await dispatcher.DisposeAsync();
        return (pipeline, alerts);
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
