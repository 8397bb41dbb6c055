using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BsmTrace.Tests.Robustness;

/// <summary>
/// An output that is behind: for a source that can wait, publishing waits for it and nothing is
/// lost; for the audit pipe, publishing never waits, and what the output cannot take is counted.
/// </summary>
public sealed class BlockingSinkTests
{
    private sealed class BlockedSink : AlertSink
    {
        private int _written;

        public ManualResetEventSlim Release { get; } = new();

        public int Written => Volatile.Read(ref _written);

        public override string Name => "blocked";

        public override void Write(Alert alert)
        {
            Release.Wait();
            Interlocked.Increment(ref _written);
        }

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

    private static Alert AnAlert()
    {
        var engine = new Engine("sequence each { subject any; state { event any; status any; }; };");
        engine.Feed(Records.Make(Records.Execve, Trails.Epoch));
        return Assert.Single(engine.Alerts);
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Publishing_waits_for_an_output_that_is_behind_and_every_alert_is_written()
    {
        var alert = AnAlert();
        var blocked = new BlockedSink();
        var counting = new CountingSink();
        var dispatcher = new AlertDispatcher([blocked, counting], AlertDelivery.Wait, NullLogger.Instance, queueCapacity: 100);

        var publishing = Task.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
                await dispatcher.PublishAsync(alert);
        });

        // One alert in the blocked write, a hundred queued, and the next one waiting for room.
        await WaitUntil(() => dispatcher.PublishedCount == 102, "publishing to reach the full queue");
        Assert.False(publishing.IsCompleted, "publishing went on past an output with no room");

        blocked.Release.Set();
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));
        await dispatcher.DisposeAsync();
        Assert.Equal(1000, blocked.Written);
        Assert.Equal(1000, counting.Count);
        Assert.All(dispatcher.Counts, c => Assert.Equal((1000, 0, 0), (c.Written, c.Failures, c.Dropped)));
        Assert.Equal(0, dispatcher.Undelivered);
    }

    [Fact]
    public async Task For_a_source_that_cannot_wait_publishing_never_waits_and_what_is_let_go_is_counted()
    {
        var alert = AnAlert();
        var blocked = new BlockedSink();
        var counting = new CountingSink();
        var dispatcher = new AlertDispatcher([blocked, counting], AlertDelivery.DropWhenFull, NullLogger.Instance, queueCapacity: 100);

        var publishing = Task.Run(async () =>
        {
            for (int i = 0; i < 1000; i++)
                await dispatcher.PublishAsync(alert);
        });
        await publishing.WaitAsync(TimeSpan.FromSeconds(30)); // throws if publishing waited for the blocked sink

        // The blocked sink holds one alert in its write and a full queue; the rest is let go and counted.
        var blockedCounts = dispatcher.Counts.Single(c => c.Sink == "blocked");
        Assert.InRange(blockedCounts.Dropped, 1000 - 101, 1000 - 100);

        blocked.Release.Set();
        await dispatcher.DisposeAsync();
        var countingCounts = dispatcher.Counts.Single(c => c.Sink == "counting");
        Assert.Equal(1000, countingCounts.Written + countingCounts.Dropped);
        Assert.Equal(counting.Count, countingCounts.Written);
        Assert.Equal(1000 - blockedCounts.Dropped, blocked.Written);
    }

    private sealed class BrokenSink : AlertSink
    {
        public override string Name => "broken";

        public override void Write(Alert alert) => throw new ArgumentOutOfRangeException(nameof(alert), "what the runtime says for EFBIG");
    }

    [Fact]
    public async Task An_output_that_fails_in_an_unexpected_way_is_counted_and_never_stops_the_others()
    {
        var alert = AnAlert();
        var counting = new CountingSink();
        var dispatcher = new AlertDispatcher([new BrokenSink(), counting], AlertDelivery.Wait, NullLogger.Instance, queueCapacity: 10);
        var publishing = Task.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
                await dispatcher.PublishAsync(alert); // would wait for ever on a queue whose writer died
        });
        await publishing.WaitAsync(TimeSpan.FromSeconds(30));
        await dispatcher.SyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await dispatcher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((0, 100, 0), dispatcher.Counts.Single(c => c.Sink == "broken") is var b ? (b.Written, b.Failures, b.Dropped) : default);
        Assert.Equal(100, counting.Count);
    }
}
