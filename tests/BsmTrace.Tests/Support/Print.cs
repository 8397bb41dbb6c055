using BsmTrace.Bsm;
using BsmTrace.Events;
using BsmTrace.Printing;
using BsmTrace.Unix;

namespace BsmTrace.Tests.Support;

/// <summary>Prints a trail in memory with the praudit printer, in UTC with the built-in event table.</summary>
public static class Print
{
    public static (byte[] Output, List<BsmDamage> Damage) Bytes(byte[] trail, PrintOptions options, UserDatabase? users = null)
    {
        var printer = new TrailPrinter(options, AuditEventTable.Builtin, users, TimeZoneInfo.Utc);
        var output = new MemoryStream();
        var damage = new List<BsmDamage>();
        printer.WriteStart(output);
        printer.Print(new MemoryStream(trail), output, damage.Add);
        printer.WriteEnd(output);
        return (output.ToArray(), damage);
    }

    public static string Text(byte[] trail, PrintOptions? options = null) =>
        System.Text.Encoding.UTF8.GetString(Bytes(trail, options ?? new PrintOptions { NoResolve = true }).Output);

    /// <summary>The praudit -n lines of the record's tokens, header and trailer left out.</summary>
    public static string[] BodyLines(byte[] record, PrintOptions? options = null) =>
        Text(record, options).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..^1];
}
