using System.Diagnostics.Tracing;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The longest time a garbage collection has stopped every thread of the program, from the
/// runtime's own GC events (the suspension's start to the restart's end). The runtime's metrics
/// give only the total: one long pause is what lets the audit pipe's kernel queue (1,024 records)
/// fill and drop, and so what an administrator needs to see.
/// </summary>
public sealed class GcPauses : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int SuspendBegin = 9;  // GCSuspendEEBegin_V1
    private const int RestartEnd = 3;    // GCRestartEEEnd_V1

    private long _suspendedAt;   // DateTime ticks of the pause under way; 0 when none
    private long _longest;       // TimeSpan ticks
    private long _pauses;

    /// <summary>Raised for each pause, on the thread that delivers the runtime's events.</summary>
    public event Action<TimeSpan>? Paused;

    /// <summary>The longest pause seen since the start.</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longest));

    /// <summary>How many pauses were seen (0: the runtime gives no GC events here, or none happened).</summary>
    public long Count => Interlocked.Read(ref _pauses);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name == RuntimeSource)
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        // One thread delivers the runtime's events, in order.
        switch (eventData.EventId)
        {
            case SuspendBegin:
                _suspendedAt = eventData.TimeStamp.Ticks;
                break;
            case RestartEnd when _suspendedAt != 0:
                long pause = eventData.TimeStamp.Ticks - _suspendedAt;
                _suspendedAt = 0;
                // Told first, so that whoever sees the longest change has seen the pause itself too.
                Paused?.Invoke(TimeSpan.FromTicks(pause));
                Interlocked.Increment(ref _pauses);
                if (pause > Interlocked.Read(ref _longest))
                    Interlocked.Exchange(ref _longest, pause);
                break;
        }
    }
}
