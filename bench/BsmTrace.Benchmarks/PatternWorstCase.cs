using System.Diagnostics;
using System.Globalization;
using System.Text;
using BsmTrace.Policy.Pcre;

namespace BsmTrace.Benchmarks;

/// <summary>
/// What one record costs at worst when a pattern backtracks badly: a path built to almost match
/// <c>(\w+\.?)+\.sh$</c>, of several lengths (the JIT below 16 KiB, the interpreter above), matched
/// with bsmtrace's default limits and with PCRE2's own (the limits before bsmtrace set them).
/// </summary>
internal static class PatternWorstCase
{
    private const string Pattern = @"(\w+\.?)+\.sh$";

    public static int Run()
    {
        var pcreDefault = new PcreLimits { MatchLimit = 10_000_000, DepthLimit = 10_000_000 };
        using var limited = PcrePattern.Compile(Pattern);
        using var unlimited = PcrePattern.Compile(Pattern, pcreDefault);
        foreach (int length in new[] { 64, 1024, 4096, 15_000, 30_000 })
        {
            var path = Encoding.ASCII.GetBytes("/tmp/" + new string('a', length) + "!/evil.sh");
            var (us, outcome) = Time(limited, path);
            var (usPcre, outcomePcre) = Time(unlimited, path);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pattern worst case, {path.Length,6}-byte path: {us,8:F1} µs per record with the default limits ({outcome}); {usPcre,9:F1} µs with PCRE2's own ({outcomePcre})"));
        }

        return 0;
    }

    private static (double Microseconds, PcreOutcome Outcome) Time(PcrePattern pattern, byte[] path)
    {
        var outcome = pattern.Match(path, out _); // warm: the thread's match block
        int rounds = 0;
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 300 || rounds < 3)
        {
            outcome = pattern.Match(path, out _);
            rounds++;
        }

        return (watch.Elapsed.TotalMicroseconds / rounds, outcome);
    }
}
