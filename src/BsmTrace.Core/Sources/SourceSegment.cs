namespace BsmTrace.Sources;

/// <summary>
/// A stretch of input that one reader reads to its end: a trail file (or the rest of one, from
/// an offset), a FIFO writer's session, the audit pipe. Its records' offsets count from the start
/// of its file.
/// </summary>
public sealed class SourceSegment(Stream stream, SourcePosition start, bool readToEnd) : IAsyncDisposable
{
    public Stream Stream { get; } = stream;

    /// <summary>The file (or stream session) and the offset the stream begins at.</summary>
    public SourcePosition Start { get; } = start;

    /// <summary>A file read at once to its end (large batches, no waiting), rather than a live stream.</summary>
    public bool ReadToEnd { get; } = readToEnd;

    /// <summary>
    /// Set by the reader when it is done with the segment: the offset just past the last record it
    /// framed (damage after it not included), where reading this file on would begin.
    /// </summary>
    public long ReadTo { get; set; } = start?.Offset ?? 0;

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
