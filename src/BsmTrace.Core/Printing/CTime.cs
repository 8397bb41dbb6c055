namespace BsmTrace.Printing;

/// <summary>ctime(3)'s layout without its newline ("Tue Nov 16 09:08:16 2021"), in the local time zone like praudit.</summary>
internal static class CTime
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static string Format(long seconds, TimeZoneInfo zone)
    {
        DateTimeOffset utc;
        try
        {
            utc = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Beyond year 9999: ctime gives up too; show the number rather than fail the record.
            return seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var t = TimeZoneInfo.ConvertTime(utc, zone);
        return $"{Days[(int)t.DayOfWeek]} {Months[t.Month - 1]} {t.Day,2} {t.Hour:00}:{t.Minute:00}:{t.Second:00} {t.Year}";
    }
}
