namespace BsmTrace.State;

/// <summary>
/// The layout of a checkpoint file, shared by <see cref="CheckpointWriter"/> and
/// <see cref="CheckpointReader"/>. All numbers are little-endian; a string or a byte run is its
/// length (u32) and then its bytes (UTF-8 for strings).
/// <code>
/// header    magic "BSMSTATE", version (u16), flags (u16: 1 = clean), written at (i64, Unix ms), body length (u32)
/// body      position: kind (u8: 1 file, 2 stream), device (u64), inode (u64), fingerprint length (i32),
///                     fingerprint (u64), generation (i64), offset (i64), path (string)
///           reader:   next record index (i64), last record seconds (i64),
///                     zones (u32 count, strings), inode memory (u32 count: file system (u32), inode (u64), path (bytes))
///           instances (u32 count: sequence, fingerprint (strings), subject (u32), scope (u32), zone (i32),
///                     no subject (u8), next state (i32), first seconds (i64), has expiry (u8), expiry (i64),
///                     start index (i64), matched (i64), records (u32 count, bytes each))
/// trailer   XxHash64 of header and body (u64)
/// </code>
/// The header and the position come first and keep their shape in every version, so that a
/// checkpoint from a newer version still gives the position it was at, if nothing else.
/// </summary>
public static class CheckpointFormat
{
    public const int Version = 1;

    public static ReadOnlySpan<byte> Magic => "BSMSTATE"u8;

    public const int MagicOffset = 0;
    public const int VersionOffset = 8;
    public const int FlagsOffset = 10;
    public const int WrittenAtOffset = 12;
    public const int BodyLengthOffset = 20;
    public const int HeaderSize = 24;
    public const int TrailerSize = 8;

    public const ushort CleanFlag = 1;

    public const byte FileKind = 1;
    public const byte StreamKind = 2;

    /// <summary>A checkpoint larger than this is not read (a hostile or corrupt file must not make bsmtrace allocate without bound).</summary>
    public const int MaxSize = 1 << 30;
}
