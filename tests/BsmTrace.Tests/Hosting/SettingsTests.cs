using System.Text.Json;
using BsmTrace.Service.Hosting;
using BsmTrace.Tests.Support;

namespace BsmTrace.Tests.Hosting;

public sealed class SettingsTests
{
    [Fact]
    public void Metrics_listen_on_loopback_unless_told_otherwise()
    {
        Assert.Equal("127.0.0.1:9464", new BsmTraceOptions().MetricsListen);

        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "appsettings.json")));
        Assert.Equal("127.0.0.1:9464", settings.RootElement.GetProperty("BsmTrace").GetProperty("MetricsListen").GetString());
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")), "appsettings.json is not copied beside the program");
    }

    [Fact]
    public void One_worker_per_processor_beyond_the_readers()
    {
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), new BsmTraceOptions().EffectiveWorkers);
        Assert.Equal(3, new BsmTraceOptions { Workers = 3 }.EffectiveWorkers);
    }

    [Fact]
    public async Task Log_levels_come_from_the_serilog_section_in_any_source_and_a_bad_one_is_one_line()
    {
        using var dir = new TempDirectory();
        var fifo = await Fifo.CreateAsync(dir.Path("pipe"));
        var policy = dir.Write("p.conf", Policies.Pair);
        string[] args = ["-F", "--follow", "-f", policy, "-a", fifo, "--metrics-listen", ""];

        // Warnings only: the "started" event (information) is not written, a damaged record's warning is.
        await using (var quiet = ServiceProcess.Start(args, new Dictionary<string, string> { ["Serilog__MinimumLevel__Default"] = "Warning" }))
        {
            await Fifo.WriteAsync(fifo, [0xee, 0xee, 0xee, 0xee], Records.Make(Records.Execve, Trails.Epoch));
            await quiet.WaitForLineAsync(l => l.Contains("0xee", StringComparison.Ordinal));
            Assert.DoesNotContain(quiet.Lines, l => l.Contains("started", StringComparison.Ordinal));
            await quiet.StopCleanlyAsync();
        }

        var bad = await BsmTraceProcess.RunAsync(args, environment: new Dictionary<string, string> { ["Serilog__MinimumLevel__Override__BsmTrace"] = "Loud" });
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("bsmtrace: Serilog:MinimumLevel:Override:BsmTrace: 'Loud' is not a level (Verbose, Debug, Information, Warning, Error or Fatal)\n", bad.StandardError);
    }
}
