using System.IO.Hashing;
using BsmTrace.Unix;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Sources;

/// <summary>
/// Which file a trail is, whatever its name becomes: its device and inode, and a fingerprint of
/// its first bytes, since an inode is reused once its file is deleted (an audit trail's first
/// bytes hold its start time). A file shorter than the fingerprint's length when first seen is
/// fingerprinted over what it had; the comparison is over that many bytes.
/// </summary>
public readonly record struct TrailIdentity(ulong Device, ulong Inode, int FingerprintLength, ulong Fingerprint)
{
    /// <summary>How many of a file's first bytes its fingerprint covers, at most.</summary>
    public const int FingerprintBytes = 256;

    /// <summary>The identity of an open file.</summary>
    public static TrailIdentity Of(SafeFileHandle file)
    {
        if (!FileStatus.TryGet(file, out var status))
            return default;
        int length = (int)Math.Min(status.Size, FingerprintBytes);
        return new TrailIdentity(status.Device, status.Inode, length, Hash(file, length));
    }

    /// <summary>A stream's identity (a FIFO, a device): its device and inode, no fingerprint.</summary>
    public static TrailIdentity OfStream(SafeFileHandle file) =>
        FileStatus.TryGet(file, out var status) ? new TrailIdentity(status.Device, status.Inode, 0, 0) : default;

    /// <summary>Whether <paramref name="file"/> is this trail: the same inode on the same device, starting with the same bytes.</summary>
    public bool Is(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!FileStatus.TryGet(file, out var status) || status.Device != Device || status.Inode != Inode)
            return false;
        return FingerprintLength == 0 || (status.Size >= FingerprintLength && Hash(file, FingerprintLength) == Fingerprint);
    }

    /// <summary>Whether the file at <paramref name="path"/> is this trail.</summary>
    public bool IsAt(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!FileStatus.TryGet(path, followLinks: true, out var status) || status.Device != Device || status.Inode != Inode)
            return false;
        if (FingerprintLength == 0)
            return true;
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Is(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The same file fingerprinted over more of its bytes, once it has them (a trail first seen nearly empty).</summary>
    public TrailIdentity Grown(SafeFileHandle file)
    {
        if (FingerprintLength >= FingerprintBytes || !FileStatus.TryGet(file, out var status) || status.Size <= FingerprintLength)
            return this;
        int length = (int)Math.Min(status.Size, FingerprintBytes);
        return this with { FingerprintLength = length, Fingerprint = Hash(file, length) };
    }

    private static ulong Hash(SafeFileHandle file, int length)
    {
        Span<byte> first = stackalloc byte[FingerprintBytes];
        int read = 0;
        while (read < length)
        {
            int n = RandomAccess.Read(file, first[read..length], read);
            if (n == 0)
                break;
            read += n;
        }

        return XxHash64.HashToUInt64(first[..read]);
    }

    public override string ToString() => $"device {Device}, inode {Inode}";
}
