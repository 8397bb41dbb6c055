using BsmTrace.Matching;

namespace BsmTrace.State;

/// <summary>
/// Everything matching depends on at one point of the stream: the reader's side (the source's
/// position, the records counted, zone names, the inode memory) and the live instances, as they
/// are once every record before the position has been matched and its alerts written.
/// </summary>
/// <param name="Clean">Written at a graceful stop (nothing after it was matched), rather than on the way.</param>
public sealed record Checkpoint(ReaderMark Reader, IReadOnlyList<SavedInstance> Instances, bool Clean, DateTimeOffset WrittenAt);
