using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Sources;

/// <summary>Why a <see cref="GrowingFileStream"/> ended.</summary>
public enum FileEnd
{
    /// <summary>Not ended (or read to its end once, not followed).</summary>
    None,

    /// <summary>Another file took its name (renamed away by a rotation) and it was read to its end through the descriptor.</summary>
    RotatedAway,

    /// <summary>It became shorter than what was read of it, or its first bytes changed: truncated or rewritten in place.</summary>
    Truncated,
}

/// <summary>
/// One trail file read as it grows, through the descriptor opened on it, so that what its name
/// comes to mean does not matter while it is read. At its end it waits and looks again; it ends
/// (a read of 0) when its owner says another file has taken its place (read to its end first:
/// what arrived between the last read and the rotation is kept), or when it was truncated.
/// </summary>
public sealed class GrowingFileStream : ReadOnlyStream
{
    private readonly FileStream _file;
    private readonly Func<bool> _rotatedAway;
    private readonly TimeSpan _poll;
    private readonly CancellationToken _stop;
    private TrailIdentity _identity;
    private bool _waited;

    /// <param name="file">The file, positioned where reading begins.</param>
    /// <param name="rotatedAway">Whether another file has taken this one's place (asked at its end).</param>
    public GrowingFileStream(FileStream file, TrailIdentity identity, Func<bool> rotatedAway, TimeSpan poll, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
        _identity = identity;
        _rotatedAway = rotatedAway;
        _poll = poll;
        _stop = stop;
    }

    /// <summary>Why the stream ended.</summary>
    public FileEnd Ended { get; private set; }

    /// <summary>The file's identity, fingerprinted over more bytes once it has them.</summary>
    public TrailIdentity Identity => _identity;

    public SafeFileHandle Handle => _file.SafeFileHandle;

    /// <exception cref="OperationCanceledException">The stop was asked for while the read waited for the file to grow.</exception>
    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            _stop.ThrowIfCancellationRequested();
            // Once the end was reached, what comes next may be growth or a rewrite of the whole file
            // (truncated and written past where it was read): its first bytes tell, before it is read.
            if (_waited && Truncated())
            {
                Ended = FileEnd.Truncated;
                return 0;
            }

            _waited = false;
            int n = _file.Read(buffer);
            if (n > 0)
                return n;

            if (Truncated())
            {
                Ended = FileEnd.Truncated;
                return 0;
            }

            if (_rotatedAway())
            {
                // What was written between the last read and the rotation is still to read.
                n = _file.Read(buffer);
                if (n > 0)
                    return n;
                Ended = FileEnd.RotatedAway;
                return 0;
            }

            _identity = _identity.Grown(_file.SafeFileHandle);
            _waited = true;
            _stop.WaitHandle.WaitOne(_poll);
        }
    }

    /// <summary>Shorter than what was read (truncated in place), or its first bytes are not what they were (rewritten).</summary>
    private bool Truncated() =>
        RandomAccess.GetLength(_file.SafeFileHandle) < _file.Position || !_identity.Is(_file.SafeFileHandle);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _file.Dispose();
        base.Dispose(disposing);
    }
}
