namespace BsmTrace.Sources;

/// <summary>
/// Opens what <c>-a</c> names: a trail file, "-" for standard input, a FIFO,
/// or a character device such as /dev/auditpipe. The name alerts report is the
/// source's base name ("stdin" for "-").
/// </summary>
public static class TrailSource
{
    public static string DisplayName(string path) => path == "-" ? "stdin" : Path.GetFileName(path.TrimEnd('/')) is { Length: > 0 } name ? name : path;

    /// <summary>
    /// Opens the source, waiting (for a FIFO: until a writer opens it) no longer than
    /// <paramref name="cancellationToken"/> allows. A blocked open() does not see the token: on
    /// cancellation the FIFO's other end is opened, again and again until the open returns, since
    /// one wake-up that comes before the open has begun to wait would be lost.
    /// </summary>
    /// <param name="keepWriterSide">
    /// For a FIFO read across writers (<c>--follow</c>): open it for reading and writing, so that it
    /// has a writer (bsmtrace itself) at every moment. A FIFO read only ends when its last writer
    /// goes; reopened for the next, a writer that came between the end and the close would have
    /// written into a FIFO about to be closed, and its records would be lost with it.
    /// </param>
    public static async Task<Stream> OpenAsync(string path, bool keepWriterSide, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var opening = Task.Run(() => Open(path, keepWriterSide, cancellationToken), CancellationToken.None);
        try
        {
            return await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            while (!opening.IsCompleted)
            {
                Unix.FileKind.WakeFifoReader(path);
                await Task.WhenAny(opening, Task.Delay(20, CancellationToken.None)).ConfigureAwait(false);
            }

            if (opening.IsCompletedSuccessfully)
                await opening.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Opens the source for reading; throws IOException with a one-line reason when it cannot. A
    /// stream without an end (stdin, a FIFO, a device) is read so that <paramref name="stop"/>
    /// ends a read that waits.
    /// </summary>
    public static Stream Open(string path, bool keepWriterSide = false, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "-")
            return InterruptibleStream.StandardInput(stop);
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a directory, not a trail");
        try
        {
            // No buffering here: the reader buffers, and a FIFO or device must not be read ahead of need.
            bool fifo = keepWriterSide && Unix.FileStatus.TryGet(path, followLinks: true, out var status) && status.Type == Unix.FileStatus.TypeFifo;
            var file = new FileStream(path, FileMode.Open, fifo ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            return file.CanSeek ? file : new InterruptibleStream(file, stop);
        }
        catch (FileNotFoundException)
        {
            throw new IOException($"{path}: no such file or directory");
        }
        catch (DirectoryNotFoundException)
        {
            throw new IOException($"{path}: no such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{path}: permission denied");
        }
    }
}
