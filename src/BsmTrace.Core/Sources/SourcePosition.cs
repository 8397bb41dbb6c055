namespace BsmTrace.Sources;

/// <summary>
/// Where a source stands: the file (or stream) and the byte offset of the next record not yet
/// matched. A checkpoint keeps one, and a source opened with it reads on from there. A stream (a
/// FIFO, the audit pipe) cannot be read again: its offset counts within one writer's session,
/// and <see cref="Generation"/> counts the sessions, so that every record has a place of its own.
/// </summary>
/// <param name="Identity">The file's identity (a stream's has no fingerprint).</param>
/// <param name="Path">The file's path when this was taken (it may have been renamed since).</param>
/// <param name="Offset">The byte offset of the next record not yet matched.</param>
/// <param name="Generation">For a stream, which session of it; 0 for a file.</param>
/// <param name="IsFile">Whether it can be read again from <see cref="Offset"/>.</param>
public sealed record SourcePosition(TrailIdentity Identity, string Path, long Offset, long Generation, bool IsFile);
