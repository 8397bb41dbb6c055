using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Running;
using BsmTrace.Service.Hosting;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Service.Cli;

/// <summary>
/// The root command, <c>bsmtrace [-F] [-a SOURCE] …</c>: the settings read and checked, the
/// pidfile taken, the policy loaded and a run of it opened, in that order, for the trail command
/// and the service alike. A trail file or stdin is then read to its end here, with plain messages;
/// a live source, or anything followed, runs as the service on the generic host.
/// </summary>
internal static class RunCommand
{
    public static int Run(IConfigurationRoot configuration, ProcessSignals signals, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(signals);
        var options = BsmTraceSettings.Read(configuration);
        using var pidFile = options.PidFile is { Length: > 0 } pidPath ? PidFile.Acquire(pidPath) : null;
        return options.RunsAsService
            ? ServiceHost.Run(configuration, options, signals, stderr)
            : RunTrailAsync(options, stderr, signals.Stopping).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Loads the policy and opens a run of it: what the command and the service share. Null, with
    /// the policy's errors or the output that could not be opened on stderr, when either fails.
    /// </summary>
    internal static DetectorRun? Open(BsmTraceOptions options, UserDatabase users, ILogger logger, TextWriter stderr, bool bufferStderr,
        out PolicyLoadResult load)
    {
        load = PolicyLoader.Load(options.Policy, options.PolicyEnvironment(users));
        if (load.Policy is not { } policy)
        {
            foreach (var error in load.Errors)
                stderr.WriteLine(error.ToString());
            return null;
        }

        try
        {
            return DetectorRun.Open(options.RunSettings(stderr, bufferStderr), policy, users, logger);
        }
        catch (IOException e)
        {
            policy.Dispose();
            stderr.WriteLine($"bsmtrace: {e.Message}");
            return null;
        }
    }

    /// <summary>The end of a trail run in one line: what was read, found, damaged and let go.</summary>
    internal static string Summary(string source, DetectorRun run, TimeSpan elapsed) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"bsmtrace: {source}: {CommandLine.Count(run.Records, "record")}, {CommandLine.Count(run.AlertsRaised, "alert")}, {CommandLine.Count(run.Damaged, "piece")} of damage, " +
            $"{CommandLine.Count(run.InstancesEvicted, "instance")} evicted, in {elapsed.TotalSeconds:F1} s");

    /// <summary>
    /// The exit status of a run, once its outputs have drained: 0 for a clean stop (SIGTERM, SIGINT)
    /// whatever it met on the way, which was counted and logged; 1 for a run that failed; and for a
    /// run to the end of its input, 1 when the input was damaged or an alert could not be written.
    /// </summary>
    internal static int ExitStatus(RunEnd end, DetectorRun run) => end switch
    {
        RunEnd.Stopped => CommandLine.Success,
        RunEnd.EndOfInput when run.Damaged == 0 && run.AlertsUndelivered == 0 => CommandLine.Success,
        _ => CommandLine.Failure,
    };

    private static async Task<int> RunTrailAsync(BsmTraceOptions options, TextWriter stderr, CancellationToken stop)
    {
        var logger = new StderrLogger(stderr, options.Debug);
        var run = Open(options, new UserDatabase(), logger, stderr, bufferStderr: true, out _);
        if (run is null)
            return CommandLine.Failure;

        // On a terminal that does not carry the alerts themselves, a long run shows how far it has got.
        bool terminal = !Console.IsErrorRedirected && ReferenceEquals(stderr, Console.Error);
        bool stderrCarriesAlerts = options.Foreground && string.IsNullOrEmpty(options.LogDirectory);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var progress = terminal && !stderrCarriesAlerts ? new ProgressLine(stderr, run, started) : null;
        RunEnd end;
        try
        {
            end = await run.RunAsync(stop).ConfigureAwait(false);
        }
        finally
        {
            progress?.Dispose();
            await run.DisposeAsync().ConfigureAwait(false);
        }

        if (run.InstancesEvicted > 0)
            logger.LogWarning("{Evicted} sequence instances were evicted to stay under the limit of {Max}", run.InstancesEvicted, options.MaxInstances);
        if (terminal || options.Debug)
            stderr.WriteLine(Summary(options.Source, run, started.Elapsed));
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("{Bytes} bytes read, {Live} instances live at the end; {Allocated} MB allocated, {Collections} collections, {Paused} ms paused for them",
                run.Bytes, run.LiveInstances,
                GC.GetTotalAllocatedBytes() / (1024 * 1024), GC.CollectionCount(0), (long)GC.GetTotalPauseDuration().TotalMilliseconds);
        }

        return ExitStatus(end, run);
    }
}
