using BsmTrace.Sources;

namespace BsmTrace.Matching;

/// <summary>
/// What the reader's side of matching holds at a point of the stream, taken in stream order on
/// the reader's thread: the position of the next record not yet read, the records counted, the
/// zone names by id, and the inode memory. With the engine's instances as they are once the
/// records before it are matched, it is everything a restart needs to go on as if it had not
/// stopped.
/// </summary>
public sealed record ReaderMark(
    SourcePosition Position,
    long NextRecordIndex,
    long LastRecordSeconds,
    IReadOnlyList<string> Zones,
    IReadOnlyList<RememberedPath> Paths);

/// <summary>An entry of the inode memory: the last path a record gave for a file.</summary>
public readonly record struct RememberedPath(uint FileSystemId, ulong Inode, byte[] Path);
