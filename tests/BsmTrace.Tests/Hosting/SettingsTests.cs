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
}
