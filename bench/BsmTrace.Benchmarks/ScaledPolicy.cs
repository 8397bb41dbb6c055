using System.Globalization;
using System.Text;

namespace BsmTrace.Benchmarks;

/// <summary>
/// The benchmark policy grown the way real rule sets grow, for bench/run's scaling rows: more
/// sequences (copies of the six, each for a subject the trail never has, so that they match
/// nothing), a larger path set ($webroot), or more patterns ($tmp). The alerts stay the six's.
/// </summary>
internal static class ScaledPolicy
{
    public static int Run(string kind, int count, string path)
    {
        string text = kind switch
        {
            "sequences" => Sequences(count),
            "paths" => BenchPolicy.Text.Replace("define set $webroot <path> { /usr/local/www; };", PathSet(count), StringComparison.Ordinal),
            "patterns" => BenchPolicy.Text.Replace("define set $tmp <pcre> { \"^/(var/)?tmp/.*\\\\.(sh|pl|py)$\"; };", PatternSet(count), StringComparison.Ordinal),
            _ => throw new ArgumentException($"unknown kind '{kind}': sequences, paths or patterns"),
        };
        File.WriteAllText(path, text);
        return 0;
    }

    private static string Sequences(int count)
    {
        var sb = new StringBuilder(BenchPolicy.Text);
        string[] bodies =
        [
            "timeout 1 weeks; state { event $auth; status failure; multiplier 50; }; state { event $auth; status success; };",
            "state { event <auditclass> { fc; }; status success; object not $webroot; };",
            "state { event $exec; status any; object $recon; };",
            "state { event <auditclass> { fr; }; status any; object $secrets; };",
            "state { event $exec; status success; object $tmp; };",
            "zone any; timeout 1 hours; state { event $exec; status success; }; state { event <auditclass> { nt; }; status success; };",
        ];
        for (int i = 0; sb.Length > 0 && i < count - 6; i++)
        {
            // A subject no record of the generated trails has: the copy is shown records and matches none.
            uint auid = 3_000_000 + (uint)i;
            sb.Append(CultureInfo.InvariantCulture, $"define set $u{i} <auid> {{ {auid}; }};\n");
            sb.Append(CultureInfo.InvariantCulture, $"sequence copy{i} {{ subject $u{i}; {bodies[i % bodies.Length]} }};\n");
        }

        return sb.ToString();
    }

    private static string PathSet(int count)
    {
        var sb = new StringBuilder("define set $webroot <path> { /usr/local/www");
        for (int i = 1; i < count; i++)
            sb.Append(CultureInfo.InvariantCulture, $", /srv/www/site{i}");
        return sb.Append("; };").ToString();
    }

    private static string PatternSet(int count)
    {
        var sb = new StringBuilder("define set $tmp <pcre> { \"^/(var/)?tmp/.*\\\\.(sh|pl|py)$\"");
        for (int i = 1; i < count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"; \"^/opt/app{i}/bin/.*\\\\.(sh|pl)$\"");
        return sb.Append("; };").ToString();
    }
}
