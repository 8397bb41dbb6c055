namespace BsmTrace.Bsm;

/// <summary>Limits of the record reader.</summary>
public sealed record BsmReaderOptions
{
    /// <summary>
    /// The largest record accepted. A header that declares more is damage: the
    /// reader refuses it rather than allocating what an attacker or a flipped
    /// bit asks for. OpenBSM's kernel never writes records near this size.
    /// </summary>
    public int MaxRecordSize { get; init; } = 1 << 20;

    /// <summary>Longest file-token name accepted when resynchronising on a file token.</summary>
    public int MaxFileNameLength { get; init; } = 4096;

    public static BsmReaderOptions Default { get; } = new();
}
