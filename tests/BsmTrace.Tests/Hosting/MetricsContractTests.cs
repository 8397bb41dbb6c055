using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using BsmTrace.Tests.Support;
using static BsmTrace.Tests.Support.Records;

namespace BsmTrace.Tests.Hosting;

/// <summary>
/// What a Prometheus server sees: a scrape promtool accepts, series that exist before their first
/// event, the build's identity, /healthz, and the shipped alert rules and Grafana dashboard using
/// only series the service exports.
/// </summary>
public sealed class MetricsContractTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Deploy(string relative) => Path.Combine(SharedData.RepositoryRoot, "deploy", relative);

    private static bool HasPromtool => Command.IsInstalled("promtool");

    private async Task<(ServiceProcess Service, int Port, string Scrape)> StartAsync(IDictionary<string, string>? environment = null)
    {
        var fifo = await Fifo.CreateAsync(_dir.Path("pipe"));
        var policy = _dir.Write("p.conf", Policies.Pair);
        int port = ServiceProcess.FreePort();
        var service = ServiceProcess.Start(["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", $"127.0.0.1:{port}"], environment);
        await MetricsScrape.WaitForAsync(service, port, "bsmtrace_records_total", v => v == 0);
        return (service, port, await MetricsScrape.GetAsync(port));
    }

    [Fact]
    public async Task Series_exist_from_the_start_without_scope_labels_and_with_the_builds_identity()
    {
        var (service, _, scrape) = await StartAsync();
        await using (service)
        {
            Assert.DoesNotContain("otel_scope_name", scrape, StringComparison.Ordinal);
            Assert.Contains("service_name=\"bsmtrace\"", scrape, StringComparison.Ordinal);
            // Before the first alert and the first reload: at 0, so that rate() and absent() work.
            Assert.Equal(0, MetricsScrape.Value(scrape, "bsmtrace_alerts_total", "sequence=pair"));
            Assert.Equal(0, MetricsScrape.Value(scrape, "bsmtrace_policy_reloads_total", "result=success"));
            Assert.Equal(0, MetricsScrape.Value(scrape, "bsmtrace_policy_reloads_total", "result=failure"));
            Assert.Equal(0, MetricsScrape.Value(scrape, "bsmtrace_pipe_drops_total"));
            Assert.Matches(@"bsmtrace_build_info\{[^}]*version=""\d+\.\d+\.\d+""[^}]*\} 1", scrape);
            Assert.Matches(@"bsmtrace_build_info\{[^}]*commit=""[^""]+""", scrape);
            await service.StopCleanlyAsync();
        }
    }

    [Fact]
    public async Task Garbage_collection_pauses_are_exported_once_one_has_run_the_longest_and_by_length()
    {
        // A first generation of 1 MB: the scrapes' own allocations soon make the runtime collect.
        var (started, port, _) = await StartAsync(new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x100000" });
        await using var service = started;

        var longest = await MetricsScrape.WaitForAsync(service, port, "bsmtrace_gc_pause_longest_seconds", v => v > 0);

        Assert.InRange(longest!.Value, 1e-7, 10);
        var scrape = await MetricsScrape.GetAsync(port);
        Assert.True(MetricsScrape.Value(scrape, "bsmtrace_gc_pause_seconds_count") >= 1, scrape);
        Assert.Equal(MetricsScrape.Value(scrape, "bsmtrace_gc_pause_seconds_count"), MetricsScrape.Value(scrape, "bsmtrace_gc_pause_seconds_bucket", "le=+Inf"));
        await service.StopCleanlyAsync();
    }

    [SkippableFact]
    public async Task Promtool_accepts_the_scrape()
    {
        Skip.IfNot(HasPromtool, "promtool is not installed (apt-get install prometheus; .ci/run does)");
        var (service, _, scrape) = await StartAsync();
        await using (service)
        {
            var (code, output) = await Command.RunAsync("promtool", ["check", "metrics"], stdin: scrape);
            Assert.True(code == 0, output);
            await service.StopCleanlyAsync();
        }
    }

    [Fact]
    public async Task Healthz_answers_200_while_the_source_is_read()
    {
        var (service, port, _) = await StartAsync();
        await using (service)
        {
            using var http = new HttpClient();
            var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await service.StopCleanlyAsync();
        }
    }

    [SkippableFact]
    public async Task The_shipped_alert_rules_and_dashboard_use_only_series_the_service_exports()
    {
        var (service, _, scrape) = await StartAsync();
        await using (service)
        {
            var exported = Regex.Matches(scrape, @"^(bsmtrace_[a-z_]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
            foreach (var file in new[] { Deploy("prometheus/bsmtrace.rules.yml"), Deploy("grafana/bsmtrace.json") })
            {
                var used = Regex.Matches(await File.ReadAllTextAsync(file), @"\b(bsmtrace_[a-z_]+)").Select(m => m.Groups[1].Value).Distinct().ToList();
                Assert.NotEmpty(used);
                Assert.All(used, name => Assert.True(exported.Contains(name), $"{Path.GetFileName(file)} uses {name}, which the service does not export"));
            }

            await service.StopCleanlyAsync();
        }

        Skip.IfNot(HasPromtool, "promtool is not installed: the rules' syntax is not checked (apt-get install prometheus; .ci/run does)");
        var (code, output) = await Command.RunAsync("promtool", ["check", "rules", Deploy("prometheus/bsmtrace.rules.yml")]);
        Assert.True(code == 0, output);
    }
}
