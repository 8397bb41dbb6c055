using System.Runtime.InteropServices;
using BsmTrace.Unix;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Sources;

/// <summary>
/// The auditpipe(4) ioctls of FreeBSD and macOS: preselection (which records
/// the pipe delivers), the queue limit, and the read and drop counters.
/// Numbers follow the BSD encoding of _IOR/_IOW with group 'A'
/// (sys/security/audit/audit_ioctl.h).
/// </summary>
public static partial class AuditPipe
{
    public const int ModeTrail = 1;
    public const int ModeLocal = 2;

    private const uint IocOut = 0x40000000;
    private const uint IocIn = 0x80000000;

    private static uint Ior(uint number, uint size) => IocOut | ((size & 0x1fff) << 16) | ('A' << 8) | number;

    private static uint Iow(uint number, uint size) => IocIn | ((size & 0x1fff) << 16) | ('A' << 8) | number;

    private static readonly uint GetQueueLimit = Ior(2, 4);
    private static readonly uint SetQueueLimit = Iow(3, 4);
    private static readonly uint GetQueueLimitMax = Ior(5, 4);
    private static readonly uint SetPreselectFlags = Iow(7, 8);
    private static readonly uint SetPreselectNonAttributableFlags = Iow(9, 8);
    private static readonly uint SetPreselectMode = Iow(15, 4);
    private static readonly uint GetReads = Ior(101, 8);
    private static readonly uint GetDrops = Ior(102, 8);

    static AuditPipe() => NativeLibraries.EnsureRegistered();

    /// <summary>
    /// Whether this system has audit pipes whose ioctls can be called here. The
    /// ioctl is variadic, and Apple's arm64 convention passes variadic arguments
    /// on the stack, which a fixed-argument call does not do: there the ioctls
    /// are skipped (with a log line from the caller) rather than called wrongly.
    /// </summary>
    public static bool IsSupported =>
        OperatingSystem.IsFreeBSD() || (OperatingSystem.IsMacOS() && RuntimeInformation.ProcessArchitecture == Architecture.X64);

    /// <summary>Whether <paramref name="path"/> names an audit pipe device.</summary>
    public static bool IsAuditPipe(string path) => path.StartsWith("/dev/auditpipe", StringComparison.Ordinal);

    public static void SetMode(SafeFileHandle pipe, int mode) => Call(pipe, SetPreselectMode, mode, "AUDITPIPE_SET_PRESELECT_MODE");

    /// <summary>Preselection masks (success and failure classes) for attributable and non-attributable records.</summary>
    public static unsafe void SetFlags(SafeFileHandle pipe, (uint Success, uint Failure) attributable, (uint Success, uint Failure) nonAttributable)
    {
        uint* mask = stackalloc uint[2];
        mask[0] = attributable.Success;
        mask[1] = attributable.Failure;
        Check(ioctl(Fd(pipe), SetPreselectFlags, mask), "AUDITPIPE_SET_PRESELECT_FLAGS");
        mask[0] = nonAttributable.Success;
        mask[1] = nonAttributable.Failure;
        Check(ioctl(Fd(pipe), SetPreselectNonAttributableFlags, mask), "AUDITPIPE_SET_PRESELECT_NAFLAGS");
    }

    public static uint QueueLimit(SafeFileHandle pipe) => GetUInt(pipe, GetQueueLimit, "AUDITPIPE_GET_QLIMIT");

    public static uint QueueLimitMax(SafeFileHandle pipe) => GetUInt(pipe, GetQueueLimitMax, "AUDITPIPE_GET_QLIMIT_MAX");

    public static void SetQueue(SafeFileHandle pipe, uint limit) => Call(pipe, SetQueueLimit, (int)limit, "AUDITPIPE_SET_QLIMIT");

    public static unsafe ulong Reads(SafeFileHandle pipe)
    {
        ulong value = 0;
        Check(ioctl(Fd(pipe), GetReads, &value), "AUDITPIPE_GET_READS");
        return value;
    }

    public static unsafe ulong Drops(SafeFileHandle pipe)
    {
        ulong value = 0;
        Check(ioctl(Fd(pipe), GetDrops, &value), "AUDITPIPE_GET_DROPS");
        return value;
    }

    private static unsafe uint GetUInt(SafeFileHandle pipe, uint request, string name)
    {
        uint value = 0;
        Check(ioctl(Fd(pipe), request, &value), name);
        return value;
    }

    private static unsafe void Call(SafeFileHandle pipe, uint request, int argument, string name) =>
        Check(ioctl(Fd(pipe), request, &argument), name);

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private static void Check(int result, string name)
    {
        if (result < 0)
            throw new IOException($"{name} failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    [LibraryImport(NativeLibraries.LibC, SetLastError = true)]
    private static unsafe partial int ioctl(int fd, nuint request, void* argument);
}
