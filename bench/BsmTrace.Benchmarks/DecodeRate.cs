using System.Diagnostics;
using System.Globalization;
using BsmTrace.Bsm;

namespace BsmTrace.Benchmarks;

/// <summary>
/// The decoder alone on one core: a trail already in memory read record by record (framed and
/// every token decoded), the best of five rounds after one to warm up. What the reader could do
/// if reading the file and matching cost nothing: the ceiling for the whole program.
/// </summary>
internal static class DecodeRate
{
    public static int Run(string trailPath)
    {
        var bytes = File.ReadAllBytes(trailPath);
        double best = double.MaxValue;
        long records = 0;
        for (int round = 0; round < 6; round++)
        {
            var clock = Stopwatch.StartNew();
            records = 0;
            using (var reader = new BsmRecordReader(new MemoryStream(bytes, writable: false)))
            {
                while (reader.TryRead(out _))
                    records++;
            }

            if (round > 0)
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decode in memory, one core: {records / best:F0} records/s ({records} records in {best:F3} s, the best of 5)"));
        return 0;
    }
}
