using Microsoft.Extensions.Logging;

namespace BsmTrace.Sources;

/// <summary>A trail file read once to its end: from the start, or from where a checkpoint of the same file left it.</summary>
internal sealed class TrailFileSource(SourceOptions options, SourcePosition? resume, ILogger logger) : AuditSource(options, logger)
{
    private bool _done;

    public override ValueTask<SourceSegment?> NextAsync(CancellationToken stop)
    {
        if (_done)
            return ValueTask.FromResult<SourceSegment?>(null);
        _done = true;

        var stream = (FileStream)TrailSource.Open(Options.Path, stop: stop);
        try
        {
            var identity = TrailIdentity.Of(stream.SafeFileHandle);
            long offset = 0;
            if (resume is { IsFile: true } from && from.Identity.Is(stream.SafeFileHandle))
            {
                offset = Math.Min(from.Offset, stream.Length);
                stream.Position = offset;
                if (offset > 0)
                    Logger.LogInformation("{Path}: reading on from byte {Offset}, where the last run left it", Options.Path, offset);
            }
            else if (resume is not null)
            {
                Logger.LogWarning("{Path}: not the file the checkpoint was taken of ({Checkpointed}); reading it from the start", Options.Path, resume.Path);
            }

            return ValueTask.FromResult<SourceSegment?>(new SourceSegment(stream, new SourcePosition(identity, Path.GetFullPath(Options.Path), offset, 0, IsFile: true), readToEnd: true));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
