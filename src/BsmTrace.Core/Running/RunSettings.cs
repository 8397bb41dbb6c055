using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Sources;
using BsmTrace.Triggers;

namespace BsmTrace.Running;

/// <summary>Everything a <see cref="DetectorRun"/> is made from besides its policy: the source, the matcher's limits, the outputs.</summary>
public sealed record RunSettings
{
    /// <summary><c>-a</c>: a trail file, "-" for stdin, a FIFO, or the audit pipe.</summary>
    public required string Source { get; init; }

    /// <summary><c>--follow</c>: keep reading a trail as it grows and across rotations; reopen a FIFO when its writer goes.</summary>
    public bool Follow { get; init; }

    /// <summary>Batches that may wait between a live source's reader and the matchers: slack for bursts. A file read to its end queues two.</summary>
    public int QueuedBatches { get; init; } = 8;

    /// <summary>How often a followed trail that has not grown is looked at again.</summary>
    public TimeSpan FollowPoll { get; init; } = TimeSpan.FromMilliseconds(250);

    public MatchEngineOptions Engine { get; init; } = new();

    public TriggerRunnerOptions Triggers { get; init; } = new();

    public AlertOutputSettings Outputs { get; init; } = new();

    /// <summary><c>-b</c>: the raw bytes of every record that matches a state, on stdout.</summary>
    public bool RawDump { get; init; }

    public AuditPipeSettings AuditPipe { get; init; } = new();

    /// <summary>Where checkpoints are kept (<c>--state-dir</c>); null or empty for none: every start is then a first start.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>
    /// The user to become once the source is open (<c>--user</c>): what needs root (the audit pipe,
    /// the pidfile, the directories) is open by then. Null: stay as started.
    /// </summary>
    public Unix.ServiceAccount? Account { get; init; }

    /// <summary>How often a checkpoint is taken while records are read (one is taken at every stop too).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the source is the audit pipe, which cannot wait: what cannot be kept is let go and counted.</summary>
    public bool SourceCannotWait => Sources.AuditPipe.IsAuditPipe(Source);
}
