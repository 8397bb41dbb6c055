namespace BsmTrace.Bsm;

/// <summary>Limits of the record reader.</summary>
public sealed record BsmReaderOptions
{
    /// <summary>
    /// The largest record accepted. A header that declares more is damage: the
    /// reader refuses it rather than allocating what an attacker or a flipped
    /// bit asks for.
    /// </summary>
    /// <remarks>
    /// The largest record a kernel writes is an exec's: its arguments and environment,
    /// which together are at most ARG_MAX (FreeBSD's sys/syslimits.h: 512 KiB; macOS's:
    /// 1 MiB), plus a header, subject, two paths of at most MAXPATHLEN, attributes, return
    /// and trailer. Records from audit(2) are at most MAXAUDITDATA (32,767 bytes, bsm/audit.h).
    /// So 1 MiB and 64 KiB: room for the largest macOS record, and no more.
    /// </remarks>
    public int MaxRecordSize { get; init; } = (1 << 20) + (64 << 10);

    /// <summary>Longest file-token name accepted when resynchronising on a file token.</summary>
    public int MaxFileNameLength { get; init; } = 4096;

    public static BsmReaderOptions Default { get; } = new();
}
