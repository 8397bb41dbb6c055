using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BsmTrace.Tests.Robustness;

/// <summary>A sink that blocks (a full disk, a syslog that does not answer) holds up neither matching nor the other sinks.</summary>
public sealed class BlockingSinkTests
{
    private sealed class BlockedSink : AlertSink
    {
        public ManualResetEventSlim Release { get; } = new();

        public override string Name => "blocked";

        public override void Write(Alert alert) => Release.Wait();

        protected override void Dispose(bool disposing)
        {
            Release.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class CountingSink : AlertSink
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override string Name => "counting";

        public override void Write(Alert alert) => Interlocked.Increment(ref _count);
    }

    [Fact]
    public async Task Publishing_does_not_wait_for_a_blocked_sink_and_what_it_cannot_keep_is_counted()
    {
        var engine = new Engine("sequence each { subject any; state { event any; status any; }; };");
        engine.Feed(Records.Make(Records.Execve, Trails.Epoch));
        var alert = Assert.Single(engine.Alerts);

        var blocked = new BlockedSink();
        var counting = new CountingSink();
        var dispatcher = new AlertDispatcher([blocked, counting], new Dictionary<string, AlertSink>(), NullLogger.Instance, queueCapacity: 100);

        var publishing = Task.Run(() =>
        {
            for (int i = 0; i < 1000; i++)
                dispatcher.Publish(alert);
        });
        await publishing.WaitAsync(TimeSpan.FromSeconds(10)); // throws if publishing waited for the blocked sink

        // The other sink goes on: all it was given arrives, and what it could not queue in the burst is counted.
        long countingDropped = dispatcher.SinkStatistics.Single(s => s.Sink == "counting").Dropped;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (counting.Count + countingDropped < 1000 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal(1000, counting.Count + countingDropped);
        Assert.True(counting.Count >= 100, $"the other sink got only {counting.Count}");

        // The blocked sink holds one alert in its write and a full queue; the rest is dropped and counted.
        Assert.InRange(dispatcher.SinkStatistics.Single(s => s.Sink == "blocked").Dropped, 1000 - 101, 1000 - 100);

        blocked.Release.Set();
        await dispatcher.DisposeAsync();
    }
}
