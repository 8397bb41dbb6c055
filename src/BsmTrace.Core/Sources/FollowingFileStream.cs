using Microsoft.Extensions.Logging;

namespace BsmTrace.Sources;

/// <summary>
/// A trail read as it grows, across auditd's rotations, like tail -F. At the
/// end of the file it waits and looks again; it moves on to a new file when
/// the path (auditd's <c>current</c> link, or a trail path) names another file
/// than the one open. The open file is always read to its end first, and the
/// new one from its start, so no record is lost or read twice.
/// </summary>
public sealed class FollowingFileStream : ReadOnlyStream
{
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeSpan _poll;
    private readonly CancellationToken _cancellation;
    private FileStream _current;
    private string _currentTarget;

    public FollowingFileStream(string path, ILogger logger, TimeSpan poll, CancellationToken cancellation)
    {
        _path = path;
        _logger = logger;
        _poll = poll;
        _cancellation = cancellation;
        (_current, _currentTarget) = Open();
    }

    public override int Read(Span<byte> buffer)
    {
        while (!_cancellation.IsCancellationRequested)
        {
            int n = _current.Read(buffer);
            if (n > 0)
                return n;

            if (Rotated())
            {
                // Read what arrived in the old file between the last read and the rotation.
                n = _current.Read(buffer);
                if (n > 0)
                    return n;
                var (next, target) = Open();
                _logger.LogInformation("Following {Path}: {Old} ended, reading {New}", _path, _currentTarget, target);
                _current.Dispose();
                (_current, _currentTarget) = (next, target);
                continue;
            }

            _cancellation.WaitHandle.WaitOne(_poll);
        }

        return 0;
    }

    /// <summary>Whether the path now names another file than the one being read.</summary>
    private bool Rotated()
    {
        try
        {
            string target = Target();
            if (!File.Exists(target))
                return false; // between a rename and the new file: wait
            if (!string.Equals(target, _currentTarget, StringComparison.Ordinal))
                return true;
            // The same name: another file if it is shorter than what was read of this one (replaced or truncated).
            return new FileInfo(target).Length < _current.Position;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string Target() =>
        File.ResolveLinkTarget(_path, returnFinalTarget: true) is { } link ? link.FullName : Path.GetFullPath(_path);

    private (FileStream, string) Open()
    {
        while (true)
        {
            try
            {
                string target = Target();
                return (new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0), target);
            }
            catch (FileNotFoundException) when (!_cancellation.IsCancellationRequested)
            {
                _cancellation.WaitHandle.WaitOne(_poll);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _current.Dispose();
        base.Dispose(disposing);
    }
}
