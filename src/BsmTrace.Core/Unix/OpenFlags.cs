using System.Runtime.InteropServices;

namespace BsmTrace.Unix;

/// <summary>
/// open(2)'s flags, whose values differ between systems (and, on Linux, between architectures):
/// fcntl.h of Linux's asm-generic and arm64 headers, FreeBSD's sys/fcntl.h, and macOS's
/// sys/fcntl.h. Only what bsmtrace opens files with.
/// </summary>
public static class OpenFlags
{
    public const int ReadOnly = 0;
    public const int WriteOnly = 1;
    public const int ReadWrite = 2;

    private static bool Linux => OperatingSystem.IsLinux();

    private static bool LinuxArm => Linux && RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;

    public static int Create => Linux ? 0x40 : 0x200;

    public static int Exclusive => Linux ? 0x80 : 0x800;

    public static int Truncate => Linux ? 0x200 : 0x400;

    public static int Append => Linux ? 0x400 : 0x8;

    public static int NonBlocking => Linux ? 0x800 : 0x4;

    public static int Directory => LinuxArm ? 0x4000 : Linux ? 0x10000 : OperatingSystem.IsMacOS() ? 0x100000 : 0x20000;

    public static int NoFollow => LinuxArm ? 0x8000 : Linux ? 0x20000 : 0x100;

    public static int CloseOnExec => Linux ? 0x80000 : OperatingSystem.IsMacOS() ? 0x1000000 : 0x100000;
}
