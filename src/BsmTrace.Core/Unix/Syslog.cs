using System.Runtime.InteropServices;
using System.Text;

namespace BsmTrace.Unix;

/// <summary>
/// The C library's syslog(3). The message is passed as the format with every
/// '%' doubled, so the call has no variadic arguments (whose calling convention
/// differs on arm64 macOS) and a hostile path cannot inject a format.
/// </summary>
public static partial class Syslog
{
    private const int LogPid = 0x01;
    private const int LogNDelay = 0x08;
    private static readonly Lock OpenLock = new();
    private static nint _ident;

    static Syslog() => NativeLibraries.EnsureRegistered();

    /// <summary>Facility codes by the names syslog.conf uses; FreeBSD's extra ones included.</summary>
    public static IReadOnlyDictionary<string, int> Facilities { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["kern"] = 0 << 3, ["user"] = 1 << 3, ["mail"] = 2 << 3, ["daemon"] = 3 << 3, ["auth"] = 4 << 3, ["syslog"] = 5 << 3,
        ["lpr"] = 6 << 3, ["news"] = 7 << 3, ["uucp"] = 8 << 3, ["cron"] = 9 << 3, ["authpriv"] = 10 << 3, ["ftp"] = 11 << 3,
        ["ntp"] = 12 << 3, ["security"] = 13 << 3, ["console"] = 14 << 3,
        ["local0"] = 16 << 3, ["local1"] = 17 << 3, ["local2"] = 18 << 3, ["local3"] = 19 << 3,
        ["local4"] = 20 << 3, ["local5"] = 21 << 3, ["local6"] = 22 << 3, ["local7"] = 23 << 3,
    };

    public static IReadOnlyDictionary<string, int> Levels { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["emerg"] = 0, ["alert"] = 1, ["crit"] = 2, ["err"] = 3, ["warning"] = 4, ["notice"] = 5, ["info"] = 6, ["debug"] = 7,
    };

    /// <summary>Sends one message with the given facility and level names.</summary>
    public static unsafe void Send(string facility, string level, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        EnsureOpen();
        int priority = Facilities[facility] | Levels[level];
        var escaped = Encoding.UTF8.GetBytes(message.Replace("%", "%%", StringComparison.Ordinal) + "\0");
        fixed (byte* format = escaped)
            syslog(priority, format);
    }

    private static void EnsureOpen()
    {
        lock (OpenLock)
        {
            if (_ident != 0)
                return;
            // openlog keeps the pointer: the ident string lives as long as the process.
            _ident = Marshal.StringToHGlobalAnsi("bsmtrace");
            openlog(_ident, LogPid | LogNDelay, Facilities["auth"]);
        }
    }

    [LibraryImport(NativeLibraries.LibC)]
    private static partial void openlog(nint ident, int option, int facility);

    [LibraryImport(NativeLibraries.LibC)]
    private static unsafe partial void syslog(int priority, byte* format);
}
