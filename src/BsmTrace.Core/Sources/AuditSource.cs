using BsmTrace.Unix;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Sources;

/// <summary>
/// What <c>-a</c> names, as the segments a run reads one after another: a trail file (from where
/// a checkpoint left it), the files of a followed trail across its rotations, each session of a
/// FIFO's writers, the audit pipe.
/// </summary>
public abstract class AuditSource : IAsyncDisposable
{
    protected AuditSource(SourceOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Logger = logger;
    }

    protected SourceOptions Options { get; }

    protected ILogger Logger { get; }

    /// <summary>The name alerts report: the source's base name, "stdin" for "-".</summary>
    public string DisplayName => TrailSource.DisplayName(Options.Path);

    /// <summary>Whether the source can wait for bsmtrace (all but the audit pipe, whose kernel queue drops what is not read).</summary>
    public virtual bool CanWait => true;

    /// <summary>Records the kernel dropped from the audit pipe.</summary>
    public virtual long PipeDrops => 0;

    /// <summary>
    /// The next segment to read, or null when there is none (a trail read to its end, a FIFO's
    /// writer gone without <c>--follow</c>). Waits while the next one is not there yet (a FIFO's
    /// next writer, a followed trail's next file).
    /// </summary>
    /// <exception cref="OperationCanceledException">Stopped while waiting.</exception>
    /// <exception cref="IOException">The source cannot be read: one line naming it.</exception>
    public abstract ValueTask<SourceSegment?> NextAsync(CancellationToken stop);

    /// <summary>Opens what <paramref name="options"/> name, to read on from <paramref name="resume"/> when given (a checkpoint's position).</summary>
    public static AuditSource Open(SourceOptions options, SourcePosition? resume, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        string path = options.Path;
        if (path == "-" || (File.Exists(path) && FileKind.IsStream(path)) || AuditPipe.IsAuditPipe(path))
            return new StreamSource(options, resume, logger);
        if (options.Follow)
            return new FollowedTrailSource(options, resume, logger);
        return new TrailFileSource(options, resume, logger);
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
