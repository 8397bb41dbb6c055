using System.Net;
using BsmTrace.Bsm;

namespace BsmTrace.Tests.Support;

/// <summary>Single records for engine tests, built with the project's writer.</summary>
public static class Records
{
    public const ushort Execve = 23;
    public const ushort OpenRead = 72;      // AUE_OPEN_R, class fr
    public const ushort OpenWriteCreate = 77; // AUE_OPEN_WC, class fc,fw
    public const ushort Fchmod = 39;          // AUE_FCHMOD, class fm
    public const ushort OpenAtRead = 270;     // AUE_OPENAT_R, class fr
    public const ushort OpenSsh = 32800;      // AUE_openssh

    public static byte[] Make(ushort eventType, long seconds, uint auid = 1001, uint euid = 1001, byte status = 0, string? path = null,
        (uint Fsid, ulong Inode)? attr = null, string? zone = null, uint pid = 4242, uint sid = 77, bool subject = true, uint msec = 0,
        byte[]? pathBytes = null)
    {
        var b = new BsmRecordBuilder(eventType, seconds, msec);
        if (path is not null)
            b.Path(path);
        if (pathBytes is not null)
            b.Path(pathBytes);
        if (attr is { } a)
            b.Attr32(0x81a4, 0, 0, a.Fsid, a.Inode, 0);
        if (subject)
            b.Subject32(auid, euid, 20, auid, 20, pid, sid, 0, IPAddress.Loopback);
        if (zone is not null)
            b.ZoneName(zone);
        b.Return32(status, status == 0 ? 0u : uint.MaxValue);
        return b.Build();
    }

    public static byte[] Login(long seconds, uint auid, bool success) =>
        Make(OpenSsh, seconds, auid: auid, status: success ? (byte)0 : (byte)1);
}
