using Microsoft.Extensions.Logging;

namespace BsmTrace.Sources;

/// <summary>
/// A source that cannot be read again: standard input, a FIFO (read until its writer goes, or,
/// with <c>--follow</c>, across all its writers), the audit pipe (configured, and its drops
/// watched). Each time it is opened is a generation of its own, counted on from a checkpoint's,
/// so that every record has a place no other record shares.
/// </summary>
internal sealed class StreamSource : AuditSource
{
    private long _generation;
    private bool _opened;
    private AuditPipeMonitor? _pipe;
    private long _dropsBefore;

    public StreamSource(SourceOptions options, SourcePosition? resume, ILogger logger)
        : base(options, logger)
    {
        if (resume is { IsFile: false })
            _generation = resume.Generation;
    }

    public override bool CanWait => !AuditPipe.IsAuditPipe(Options.Path);

    public override long PipeDrops => _dropsBefore + (Volatile.Read(ref _pipe)?.Drops ?? 0);

    public override async ValueTask<SourceSegment?> NextAsync(CancellationToken stop)
    {
        ClosePipe();
        bool again = Options.Follow && Options.Path != "-";
        if (_opened && !again)
            return null;
        _opened = true;

        // Followed, a FIFO is held open for writing too: it then never ends between writers, and none of their records is lost.
        var stream = await TrailSource.OpenAsync(Options.Path, keepWriterSide: Options.Follow, stop).ConfigureAwait(false);
        try
        {
            var handle = stream is InterruptibleStream s ? s.SafeFileHandle : null;
            var identity = handle is null ? default : TrailIdentity.OfStream(handle);
            if (AuditPipe.IsAuditPipe(Options.Path) && handle is not null)
            {
                if (AuditPipe.IsSupported)
                    Volatile.Write(ref _pipe, AuditPipeMonitor.Start(handle, Options.AuditPipe, Logger));
                else
                    Logger.LogWarning("{Source}: audit pipe settings (preselection, queue limit, drop counts) are not available on this system; reading it as it is", Options.Path);
            }

            var start = new SourcePosition(identity, Options.Path, 0, ++_generation, IsFile: false);
            return new SourceSegment(stream, start, readToEnd: false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void ClosePipe()
    {
        if (Volatile.Read(ref _pipe) is not { } pipe)
            return;
        pipe.Report();
        _dropsBefore += pipe.Drops;
        Volatile.Write(ref _pipe, null);
        pipe.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        ClosePipe();
        return base.DisposeAsync();
    }
}
