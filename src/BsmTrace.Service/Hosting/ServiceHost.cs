using System.Net;
using BsmTrace.Running;
using BsmTrace.Unix;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Serilog;
using Serilog.Events;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// bsmtrace as a service on the generic host: settings from appsettings.json,
/// the environment (BsmTrace__Source, …) and the command line; Serilog logs
/// (readable on a terminal, compact JSON otherwise); systemd notifications;
/// OpenTelemetry metrics for Prometheus on MetricsListen; the match service
/// driving the run.
/// </summary>
public static class ServiceHost
{
    /// <summary>The settings' layers: appsettings.json beside the program, the environment (BsmTrace__Policy=…), then the command line.</summary>
    public static IConfigurationRoot BuildConfiguration(IDictionary<string, string?> commandLine) =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(commandLine)
            .Build();

    /// <summary>
    /// Loads the policy, opens the run, and runs the host around it until the source ends or a
    /// signal stops it; returns the exit status. A fault at start-up is one line on stderr and 1.
    /// </summary>
    public static int Run(IConfigurationRoot configuration, BsmTraceOptions settings, ProcessSignals signals, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        Log.Logger = ServiceLogging.CreateLogger(configuration, settings.Debug);
        try
        {
            using var loggers = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger);
            var users = new UserDatabase();
            var run = Cli.RunCommand.Open(settings, users, loggers.CreateLogger<DetectorRun>(), stderr, bufferStderr: false, out var load);
            if (run is null)
                return Cli.CommandLine.Failure;

            RunEnd? end = null;
            bool started = false;
            try
            {
                if (signals.Stopping.IsCancellationRequested)
                    return Cli.CommandLine.Success; // stopped while starting: nothing was read, nothing is owed

                using var reloads = new PolicyReloadSource(signals, loggers.CreateLogger<PolicyReloadSource>());
                using var host = Build(configuration, settings, run, users, reloads, signals);
                // The run owns the policy itself; the first value says what was loaded and which files to watch.
                var initial = new PolicyOptions { Diagnostics = load.Diagnostics, Files = load.Files, Path = settings.Policy };
                host.Services.GetRequiredService<IOptionsMonitorCache<PolicyOptions>>().TryAdd(Options.DefaultName, initial);
                try
                {
                    host.Start();
                }
                catch (IOException e) when (!string.IsNullOrWhiteSpace(settings.MetricsListen))
                {
                    // Kestrel could not listen: the port is taken, or not ours to take.
                    stderr.WriteLine($"bsmtrace: --metrics-listen (BsmTrace:MetricsListen) {settings.MetricsListen}: {Innermost(e).Message}");
                    return Cli.CommandLine.Failure;
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM while the host started: it stops before reading anything, which is a clean stop.
                    return Cli.CommandLine.Success;
                }

                started = true;
                host.WaitForShutdown();
                // No end when the host stopped before the service's work began (a SIGTERM while the
                // host started: the framework then never runs it); that stop came from a signal.
                end = host.Services.GetRequiredService<MatchService>().End
                    ?? (signals.Stopping.IsCancellationRequested ? RunEnd.Stopped : RunEnd.Failed);
            }
            finally
            {
                // Every alert raised is written (or counted) before the process says it has stopped.
                run.DisposeAsync().AsTask().GetAwaiter().GetResult();
                if (started)
                {
                    loggers.CreateLogger(typeof(ServiceHost).FullName!).LogInformation(
                        "bsmtrace stopped: {Records} records, {Alerts} alerts, {Live} instances live, {Evicted} evicted",
                        run.Records, run.AlertsRaised, run.LiveInstances, run.InstancesEvicted);
                }
            }

            return end is { } e2 ? Cli.RunCommand.ExitStatus(e2, run) : Cli.CommandLine.Failure;
        }
        finally
        {
            Log.CloseAndFlush();
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
            e = e.InnerException;
        return e;
    }

    private static IHost Build(IConfiguration configuration, BsmTraceOptions settings, DetectorRun run, UserDatabase users, PolicyReloadSource reloads, ProcessSignals signals)
    {
        if (string.IsNullOrWhiteSpace(settings.MetricsListen))
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddConfiguration(configuration);
            ConfigureServices(builder.Services, builder.Configuration, run, users, reloads, signals);
            return builder.Build();
        }

        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        web.Configuration.AddConfiguration(configuration);
        web.WebHost.ConfigureKestrel(k => k.Listen(ParseListen(settings.MetricsListen)));
        ConfigureServices(web.Services, web.Configuration, run, users, reloads, signals);
        web.Services.AddSingleton<GcPauses>();
        web.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.Clear().AddService("bsmtrace", serviceVersion: Cli.CommandLine.Version, autoGenerateServiceInstanceId: false))
            .WithMetrics(m => m
                .AddMeter(BsmTraceMetrics.MeterName)
                .AddRuntimeInstrumentation()
                // The runtime names three gauges "...count", which Prometheus keeps for histograms and summaries.
                .AddView("dotnet.assembly.count", new MetricStreamConfiguration { Name = "dotnet.assemblies.loaded" })
                .AddView("dotnet.process.cpu.count", new MetricStreamConfiguration { Name = "dotnet.process.cpus" })
                .AddView("dotnet.timer.count", new MetricStreamConfiguration { Name = "dotnet.timers" })
                .AddView(BsmTraceMetrics.GcPauseHistogram, new ExplicitBucketHistogramConfiguration { Boundaries = [.. BsmTraceMetrics.GcPauseBuckets] })
                .AddPrometheusExporter(o =>
                {
                    // A scrape reads the counters as they are now: Prometheus asks every few seconds, and a cached answer would be stale.
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    // One meter: a label naming it on every series says nothing.
                    o.ScopeInfoEnabled = false;
                }));
        var app = web.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        // 200 while the source is read and matching runs; 503 while starting, stopping or stopped.
        app.MapGet("/healthz", () => run.IsReading ? Results.Text("ok\n") : Results.Text("not reading\n", statusCode: 503));
        return app;
    }

    private static void ConfigureServices(IServiceCollection services, ConfigurationManager configuration, DetectorRun run, UserDatabase users,
        PolicyReloadSource reloads, ProcessSignals signals)
    {
        services.AddSerilog();
        services.AddSystemd();
        // Outside systemd AddSystemd registers nothing; a notifier that is not enabled keeps the service's code one path.
        services.TryAddSingleton<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        // The settings were read and checked before the host was made; bound here for the policy's loader, checked the same way.
        services.AddOptions<BsmTraceOptions>().Bind(configuration.GetSection(BsmTraceOptions.Section));
        services.AddSingleton<IValidateOptions<BsmTraceOptions>, BsmTraceOptionsValidator>();

        services.AddSingleton(users);
        services.AddSingleton(run);
        services.AddSingleton(signals);
        services.AddSingleton<BsmTraceMetrics>();

        // The policy as options: a reload is a new value of IOptionsMonitor<PolicyOptions>.
        services.AddSingleton(reloads); // made before the host, so that SIGHUP is ours from the start
        services.AddSingleton<IOptionsChangeTokenSource<PolicyOptions>>(sp => sp.GetRequiredService<PolicyReloadSource>());
        services.AddSingleton<IConfigureOptions<PolicyOptions>, PolicyOptionsSetup>();

        services.AddSingleton<MatchService>();
        services.AddHostedService(sp => sp.GetRequiredService<MatchService>());
    }

    // The setting was checked before the host was made: here it parses.
    private static IPEndPoint ParseListen(string listen) =>
        TryParseListen(listen, out var endpoint) ? endpoint : throw new SettingsException($"--metrics-listen (BsmTrace:MetricsListen): '{listen}' is not HOST:PORT");

    internal static bool TryParseListen(string listen, out IPEndPoint endpoint)
    {
        endpoint = null!;
        int colon = listen.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(listen.AsSpan(colon + 1), out ushort port))
            return false;
        string host = listen[..colon].Trim('[', ']');
        if (host == "localhost")
            host = "127.0.0.1";
        if (!IPAddress.TryParse(host, out var address))
            return false;
        endpoint = new IPEndPoint(address, port);
        return true;
    }
}
