using System.Diagnostics.Tracing;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The garbage collector's pauses (every thread of the program stopped), from the runtime's own
/// events: the suspension for a collection's start to the restart's end. The runtime's metrics
/// give only the total: one long pause is what lets the audit pipe's kernel queue (1,024 records)
/// fill and drop, and so what an administrator needs to see. Made only where metrics are served.
/// </summary>
public sealed class GcPauses : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int SuspendBegin = 9;  // GCSuspendEEBegin_V1
    private const int RestartEnd = 3;    // GCRestartEEEnd_V1
    // SUSPEND_FOR_GC and SUSPEND_FOR_GC_PREP: the runtime also stops threads for the debugger,
    // for recompiling code and at shutdown, which are not the collector's pauses.
    private const uint SuspendForGc = 1;
    private const uint SuspendForGcPrep = 6;

    private readonly Lock _lock = new();
    private EventSource? _runtime;   // found before Start, enabled by it
    private bool _started;
    private long _suspendedAt;       // DateTime ticks of the collector's pause under way; 0 when none
    private long _longest;           // TimeSpan ticks
    private Action<TimeSpan>? _paused;

    /// <summary>The longest pause seen since <see cref="Start"/>.</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longest));

    /// <summary>
    /// Starts listening; <paramref name="paused"/> hears of each pause, on the thread that delivers
    /// the runtime's events, before <see cref="Longest"/> reflects it. Events are asked for only
    /// now, so that no pause is seen by one and not the other.
    /// </summary>
    public void Start(Action<TimeSpan> paused)
    {
        ArgumentNullException.ThrowIfNull(paused);
        EventSource? runtime;
        lock (_lock)
        {
            _paused = paused;
            _started = true;
            runtime = _runtime;
        }

        // Outside the lock: EnableEvents takes the runtime's listeners lock, under which the runtime
        // calls OnEventSourceCreated, which takes ours. Enabling twice alike is harmless.
        if (runtime is not null)
            EnableEvents(runtime, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        ArgumentNullException.ThrowIfNull(eventSource);
        if (eventSource.Name != RuntimeSource)
            return;
        // Also called from EventListener's constructor, for sources that exist already: C# sets
        // this class's field initialisers (the lock) before that constructor runs.
        bool started;
        lock (_lock)
        {
            _runtime = eventSource;
            started = _started;
        }

        if (started)
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        // One thread delivers the runtime's events, in order.
        switch (eventData.EventId)
        {
            case SuspendBegin:
                _suspendedAt = Reason(eventData) is SuspendForGc or SuspendForGcPrep ? eventData.TimeStamp.Ticks : 0;
                break;
            case RestartEnd when _suspendedAt != 0:
                long pause = eventData.TimeStamp.Ticks - _suspendedAt;
                _suspendedAt = 0;
                if (pause < 0)
                    break;
                _paused?.Invoke(TimeSpan.FromTicks(pause));
                if (pause > Interlocked.Read(ref _longest))
                    Interlocked.Exchange(ref _longest, pause);
                break;
        }
    }

    private static uint? Reason(EventWrittenEventArgs e)
    {
        int at = e.PayloadNames?.IndexOf("Reason") ?? -1;
        return at >= 0 && e.Payload is { } payload && at < payload.Count && payload[at] is uint reason ? reason : null;
    }
}
