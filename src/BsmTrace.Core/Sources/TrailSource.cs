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
    /// Opens the source, waiting (for a FIFO: until a writer opens it) no longer
    /// than <paramref name="cancellationToken"/> allows. A blocked open() does not
    /// see the token, so cancelling wakes it by opening the FIFO's other end.
    /// </summary>
    public static async Task<Stream> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var opening = Task.Run(() => Open(path), CancellationToken.None);
        using (cancellationToken.Register(() => Unix.FileKind.WakeFifoReader(path)))
        {
            var stream = await opening.ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw new OperationCanceledException(cancellationToken);
            }

            return stream;
        }
    }

    /// <summary>Opens the source for reading; throws IOException with a one-line reason when it cannot.</summary>
    public static Stream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path == "-")
            return Console.OpenStandardInput();
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a directory, not a trail");
        try
        {
            // No buffering here: the reader buffers, and a FIFO or device must not be read ahead of need.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
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
