using System.Diagnostics;
using System.Globalization;

namespace BsmTrace.Benchmarks;

/// <summary>Records/s of the read-and-match path with 20 and 20,000 live subjects, interleaved, median of several rounds.</summary>
internal static class SubjectRatio
{
    public static int Run(int rounds)
    {
        var few = new ReadAndMatchBenchmarks { Subjects = 20 };
        var many = new ReadAndMatchBenchmarks { Subjects = 20_000 };
        few.Setup();
        many.Setup();
        var fewRates = new List<double>();
        var manyRates = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            fewRates.Add(Rate(few));
            manyRates.Add(Rate(many));
        }

        double a = Median(fewRates), b = Median(manyRates);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"20 subjects:     {a,12:N0} records/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"20,000 subjects: {b,12:N0} records/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio:           {b / a,12:F2}"));
        return 0;
    }

    private static double Rate(ReadAndMatchBenchmarks benchmark)
    {
        var clock = Stopwatch.StartNew();
        benchmark.ReadAndMatch();
        return 200_000 / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
