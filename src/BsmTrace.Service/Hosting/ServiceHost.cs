using System.Net;
using BsmTrace.Alerts;
using BsmTrace.Unix;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// bsmtrace as a service on the generic host: settings from appsettings.json,
/// the environment (BsmTrace__Source, …) and the command line; Serilog logs
/// (readable on a terminal, compact JSON otherwise); systemd notifications;
/// OpenTelemetry metrics for Prometheus on MetricsListen; the match service.
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

    /// <summary>Builds and runs the host; returns the exit status.</summary>
    public static int Run(IConfigurationRoot configuration, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(BsmTraceOptions.Section).Get<BsmTraceOptions>() ?? new BsmTraceOptions();
        bool debug = settings.Debug;
        Log.Logger = CreateLogger(configuration, debug);
        // SIGHUP's default action ends the process: take it over before anything slow happens.
        using var loggers = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger);
        using var reloads = new PolicyReloadSource(loggers.CreateLogger<PolicyReloadSource>());
        try
        {
            var host = Build(configuration, settings, stderr, reloads);
            var service = host.Services.GetRequiredService<MatchService>();
            host.Run(); // runs until the source ends or a signal stops it, then disposes the host
            return service.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            stderr.WriteLine($"bsmtrace: {string.Join("; ", e.Failures)}");
            return Cli.CommandLine.Failure;
        }
        catch (IOException e)
        {
            // Kestrel could not listen, a pidfile exists, …
            stderr.WriteLine($"bsmtrace: {e.Message}");
            return Cli.CommandLine.Failure;
        }
        finally
        {
            Log.CloseAndFlush();
        }
    }

    private static Serilog.Core.Logger CreateLogger(IConfiguration configuration, bool debug)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext();
        if (debug)
            logger.MinimumLevel.Debug();
        // Journald and log files want one JSON object per event; a person at a terminal wants sentences.
        return Console.IsErrorRedirected
            ? logger.WriteTo.Console(new CompactJsonFormatter(), standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger()
            : logger.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose).CreateLogger();
    }

    private static IHost Build(IConfiguration configuration, BsmTraceOptions settings, TextWriter stderr, PolicyReloadSource reloads)
    {
        bool metrics = !string.IsNullOrWhiteSpace(settings.MetricsListen);
        if (!metrics)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddConfiguration(configuration);
            ConfigureServices(builder.Services, builder.Configuration, stderr, reloads);
            return builder.Build();
        }

        var web = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        web.Configuration.AddConfiguration(configuration);
        var endpoint = ParseListen(settings.MetricsListen);
        web.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        ConfigureServices(web.Services, web.Configuration, stderr, reloads);
        web.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(BsmTraceMetrics.MeterName)
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        var app = web.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static void ConfigureServices(IServiceCollection services, ConfigurationManager configuration, TextWriter stderr, PolicyReloadSource reloads)
    {
        services.AddSerilog();
        services.AddSystemd();
        // Outside systemd AddSystemd registers nothing; a notifier that is not enabled keeps the service's code one path.
        services.TryAddSingleton<Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier, Microsoft.Extensions.Hosting.Systemd.SystemdNotifier>();
        services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
            // A failed match service ends the host; its exit status says why.
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });

        services.AddOptions<BsmTraceOptions>()
            .Bind(configuration.GetSection(BsmTraceOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Source), "BsmTrace:Source must name a trail, '-', a FIFO or an audit pipe")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Policy), "BsmTrace:Policy must name the policy file")
            .Validate(o => o.Workers >= 0, "BsmTrace:Workers must be 0 (one per processor) or more")
            .Validate(o => o.MaxInstances >= 1, "BsmTrace:MaxInstances must be at least 1")
            .Validate(o => o.QueuedBatches >= 1, "BsmTrace:QueuedBatches must be at least 1")
            .Validate(o => o.MaxEvidenceRecords >= 2, "BsmTrace:MaxEvidenceRecords must be at least 2")
            .Validate(o => !o.Evidence || !string.IsNullOrEmpty(o.LogDirectory), "-B (BsmTrace:Evidence) needs a log directory (-l DIR)")
            .Validate(o => string.IsNullOrWhiteSpace(o.MetricsListen) || TryParseListen(o.MetricsListen, out _), BadListen)
            .ValidateOnStart();

        services.AddSingleton<UserDatabase>();
        services.AddSingleton(stderr);
        services.AddSingleton(sp => new AlertSinkFactory(sp.GetRequiredService<UserDatabase>(), stderr));
        services.AddSingleton<BsmTraceMetrics>();

        // The policy as options: a reload is a new value of IOptionsMonitor<PolicyOptions>.
        services.AddSingleton(reloads); // made before the host, so that SIGHUP is ours from the start
        services.AddSingleton<IOptionsChangeTokenSource<PolicyOptions>>(sp => sp.GetRequiredService<PolicyReloadSource>());
        services.AddSingleton<IConfigureOptions<PolicyOptions>, PolicyOptionsSetup>();

        // The sinks every alert goes to, chosen by the settings; log channels come with the policy.
        services.AddSingleton<IEnumerable<AlertSink>>(sp =>
            sp.GetRequiredService<AlertSinkFactory>().DefaultSinks(sp.GetRequiredService<IOptions<BsmTraceOptions>>().Value));

        services.AddSingleton<MatchService>();
        services.AddHostedService(sp => sp.GetRequiredService<MatchService>());
    }

    private const string BadListen = "BsmTrace:MetricsListen must be HOST:PORT, such as 127.0.0.1:9464";

    // Kestrel is set up before options are validated at start: the same check, the same words.
    private static IPEndPoint ParseListen(string listen) =>
        TryParseListen(listen, out var endpoint) ? endpoint : throw new OptionsValidationException(nameof(BsmTraceOptions), typeof(BsmTraceOptions), [BadListen]);

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
