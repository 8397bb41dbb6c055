namespace BsmTrace.Bsm;

/// <summary>
/// One unit of a trail as framed by <see cref="BsmRecordReader"/>: a record
/// whose length and trailer agree, or a file token. <see cref="Bytes"/> points
/// into the reader's buffer and is valid only until the next read.
/// </summary>
public readonly record struct BsmFrame(BsmFrameKind Kind, long Offset, ReadOnlyMemory<byte> Bytes);
