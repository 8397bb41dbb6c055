using System.Globalization;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace BsmTrace.Tests.Support;

/// <summary>A real HTTP scrape of the service's /metrics on 127.0.0.1, and the value of one series in it.</summary>
public static class MetricsScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static Task<string> GetAsync(int port) => Http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

    /// <summary>
    /// The value of the series <paramref name="name"/> whose labels include every one of <paramref name="labels"/>
    /// ("sink=syslog"), or null when there is none.
    /// </summary>
    public static double? Value(string scrape, string name, params string[] labels)
    {
        foreach (var line in scrape.Split('\n'))
        {
            var m = Regex.Match(line, @"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)");
            if (!m.Success || m.Groups["name"].Value != name)
                continue;
            var have = m.Groups["labels"].Value;
            if (labels.All(l => have.Contains(l.Replace("=", "=\"", StringComparison.Ordinal) + "\"", StringComparison.Ordinal)))
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return null;
    }

    /// <summary>Scrapes until <paramref name="condition"/> holds of the value (null: no such series), or fails with the last scrape.</summary>
    public static async Task<double?> WaitForAsync(ServiceProcess service, int port, string name, Func<double?, bool> condition, params string[] labels)
    {
        string last = "";
        double? value = null;
        await service.WaitUntilAsync(() =>
        {
            try
            {
                last = GetAsync(port).GetAwaiter().GetResult();
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }

            value = Value(last, name, labels);
            return condition(value);
        }, $"{name}{{{string.Join(',', labels)}}} to reach the expected value; the last scrape had {value?.ToString(CultureInfo.InvariantCulture) ?? "no such series"}");
        return value;
    }
}
