using System.Diagnostics;
using System.Globalization;
using System.Net;
using BsmTrace.Bsm;

namespace BsmTrace.Benchmarks;

/// <summary>
/// Live latency: the real executable reads a FIFO; records are written into it
/// at a steady rate, one in a hundred of them an exec that the policy alerts
/// on at once. Each such record carries its number in its time field, so the
/// alert line names it; the time from writing the record to reading its alert
/// line on stderr is the latency. Prints the 50th, 99th and 99.9th percentiles, and the longest
/// garbage collection pause the service saw (its metric, scraped before the FIFO closes).
/// </summary>
internal static class LiveLatency
{
    public static int Run(string executable, int recordsPerSecond, int seconds)
    {
        string dir = Directory.CreateTempSubdirectory("bsmtrace-latency-").FullName;
        string fifo = Path.Combine(dir, "pipe");
        string policy = Path.Combine(dir, "latency.conf");
        File.WriteAllText(policy, "sequence probe { subject any; state { event <auditevent> { AUE_EXECVE; }; status any; }; };\n");
        Process.Start("mkfifo", [fifo])!.WaitForExit();

        int port = FreePort();
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-F", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}", "--state-dir", "" })
            start.ArgumentList.Add(a);
        using var service = Process.Start(start)!;

        int total = recordsPerSecond * seconds;
        var written = new long[total / 100 + 1];
        var latencies = new List<double>();
        int probes = (total + 99) / 100;
        using var allAlerts = new ManualResetEventSlim();
        var clock = Stopwatch.StartNew();
        var reading = Task.Run(() =>
        {
            while (service.StandardError.ReadLine() is { } line)
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space < 0 || !line.Contains("state machine: probe", StringComparison.Ordinal))
                    continue;
                long now = clock.ElapsedTicks;
                var stamp = line[..space].Split('.');
                long n = (long.Parse(stamp[0], CultureInfo.InvariantCulture) - 1_700_000_000) * 1000 + long.Parse(stamp[1], CultureInfo.InvariantCulture);
                latencies.Add((now - written[n]) * 1000.0 / Stopwatch.Frequency);
                if (latencies.Count == probes)
                    allAlerts.Set();
            }
        });

        var builder = new BsmRecordBuilder(0, 0);
        var terminal = IPAddress.Loopback;
        string gc;
        using (var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            var before = Scrape(port, wait: true);
            var pace = Stopwatch.StartNew();
            for (int i = 0; i < total; i++)
            {
                bool probe = i % 100 == 0;
                long n = i / 100;
                builder.Clear();
                builder.EventType = probe ? (ushort)23 : (ushort)72;
                builder.Seconds = 1_700_000_000 + n / 1000;
                builder.Milliseconds = (uint)(n % 1000);
                builder.Path("/usr/bin/true").Subject32(1000, 1000, 20, 1000, 20, (uint)i, 1, 0, terminal).Return32(0, 0);
                var record = builder.Build();
                if (probe)
                    written[n] = clock.ElapsedTicks;
                writer.Write(record);
                if (probe)
                    writer.Flush();

                // Keep the rate: when ahead of it, sleep until the next record's moment. Records so go
                // out in bursts of about a millisecond's worth, as the kernel delivers them; spinning
                // instead would take one of a small machine's cores away from what is measured.
                if ((i + 1) / (double)recordsPerSecond > pace.Elapsed.TotalSeconds)
                {
                    writer.Flush();
                    while ((i + 1) / (double)recordsPerSecond > pace.Elapsed.TotalSeconds)
                        Thread.Sleep(1);
                }
            }

            writer.Flush();
            allAlerts.Wait(TimeSpan.FromSeconds(30));
            gc = GcPauses(before, Scrape(port, wait: false));
        }

        service.WaitForExit();
        reading.Wait();
        latencies.Sort();
        double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{recordsPerSecond:N0} records/s for {seconds} s, {latencies.Count} alerts: p50 {P(0.50):F2} ms, p99 {P(0.99):F2} ms, p99.9 {P(0.999):F2} ms; {gc}"));
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Scrape(int port, bool wait)
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")).GetAwaiter().GetResult();
            }
            catch (HttpRequestException) when (wait && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(20); // the endpoint is not listening yet
            }
        }
    }

    private static double Sum(string scrape, string series) => scrape.Split('\n').Where(l => l.StartsWith(series, StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>
    /// The GC pauses while the records were written (the pause histogram's buckets, after less
    /// before: the longest is known to its bucket's bound) and the longest since the service began.
    /// </summary>
    private static string GcPauses(string before, string after)
    {
        double Bucket(string scrape, string le) => Sum(scrape, $"bsmtrace_gc_pause_seconds_bucket{{le=\"{le}\"}}");
        var bounds = after.Split('\n').Where(l => l.StartsWith("bsmtrace_gc_pause_seconds_bucket{le=\"", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('"') + 1)..l.IndexOf('"', l.IndexOf('"') + 1)]).ToList();
        double total = Bucket(after, "+Inf") - Bucket(before, "+Inf");
        string longest = total == 0 ? "none" : "≤ " + bounds.First(b => Bucket(after, b) - Bucket(before, b) == total) switch
        {
            "+Inf" => "more than the last bound",
            var b => $"{double.Parse(b, CultureInfo.InvariantCulture) * 1000:0.###} ms",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"GC while reading: {total:F0} pauses, the longest {longest}; longest since start-up {Sum(after, "bsmtrace_gc_pause_longest_seconds") * 1000:F2} ms");
    }
}
