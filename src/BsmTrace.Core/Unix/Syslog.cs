namespace BsmTrace.Unix;

/// <summary>syslog's names for facilities and levels, and where each system's daemon listens for local messages.</summary>
public static class Syslog
{
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

    /// <summary>
    /// The socket the system's syslog daemon reads local messages from, as the C library's
    /// syslog(3) uses it: _PATH_LOG of FreeBSD's and macOS's &lt;syslog.h&gt;, /dev/log on Linux.
    /// </summary>
    public static string DefaultSocket =>
        OperatingSystem.IsFreeBSD() ? "/var/run/log" : OperatingSystem.IsMacOS() ? "/var/run/syslog" : "/dev/log";
}
