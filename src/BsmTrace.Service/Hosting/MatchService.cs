using BsmTrace.Matching;
using BsmTrace.Running;
using Microsoft.Extensions.Options;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The service's work: once the host has started (the metrics endpoint listens), run the
/// detector until its source ends or a signal stops it, and hand it each reloaded policy. The run
/// itself (source, matching, outputs) was opened before the host and is closed after it.
/// </summary>
public sealed class MatchService(
    DetectorRun run,
    IOptionsMonitor<PolicyOptions> policies,
    PolicyReloadSource reloads,
    ProcessSignals signals,
    BsmTraceMetrics metrics,
    IOptions<BsmTraceOptions> settings,
    IHostApplicationLifetime lifetime,
    Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier systemd,
    ILogger<MatchService> logger) : BackgroundService
{
    /// <summary>How the run ended; null if it never started (the host did not).</summary>
    public RunEnd? End { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            End = await RunAsync(stoppingToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever ends the run is said in one line and makes the exit status 1; the host would say it with a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "The run failed: {Reason}", e.Message);
            End = RunEnd.Failed;
        }
        finally
        {
            // A source read to its end ends the service; a stopped service is stopping anyway.
            lifetime.StopApplication();
        }
    }

    private async Task<RunEnd> RunAsync(CancellationToken stoppingToken)
    {
        if (!await HostStartedAsync(stoppingToken).ConfigureAwait(false))
            return RunEnd.Stopped; // asked to stop before it began: nothing read, nothing owed

        var loaded = policies.CurrentValue; // the policy loaded at start, before the host
        using var onChange = policies.OnChange(p => OnPolicyChange(p));
        reloads.Watch(loaded.Files);
        reloads.Hangup += ReopenOutputs;
        reloads.Start();
        run.AlertRaised += LogAlert;
        run.PolicyApplied += applied => logger.LogInformation(
            "Policy applied: {Kept} live instances kept, {Dropped} of changed or removed sequences ended", applied.Kept, applied.Dropped);

        var options = settings.Value;
        logger.LogInformation("bsmtrace {Version} started: {Sequences} sequences from {Policy}, source {Source}, {Workers} workers",
            Cli.CommandLine.Version, run.Policy.Sequences.Count, options.Policy, options.Source, run.Workers);

        // The host's stop (SIGTERM through its own lifetime) or one that came while starting.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, signals.Stopping);
        return await run.RunAsync(stop.Token).ConfigureAwait(false);
    }

    /// <summary>Waits until every hosted service has started: a metrics endpoint that cannot listen stops the start before a record is read.</summary>
    private async Task<bool> HostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task.ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every alert is a log event with its fields, except where standard error carries its classic
    /// line already: a stream shows an alert once.
    /// </summary>
    private void LogAlert(Alert alert)
    {
        if (run.ReachesStderr(alert))
            return;
        logger.LogInformation(
            "Alert {Sequence} (serial {Serial}, priority {Priority}): {SubjectField} {Subject} after {Duration} s, {Records} records, at {RecordTime} in {Source}, object {Object}, zone {Zone}, id {AlertId}",
            alert.Sequence.Name, alert.Sequence.Serial, alert.Sequence.Priority, alert.Sequence.Subject.FieldName, (int)alert.Subject,
            alert.Duration, alert.MatchedRecords, DateTimeOffset.FromUnixTimeSeconds(alert.Seconds).AddMilliseconds(alert.Milliseconds), alert.Source,
            alert.Object is { } o ? Printing.LogText.Printable(o) : null, alert.Zone is { } z ? Printing.LogText.Printable(z) : null, alert.Id);
    }

    private void OnPolicyChange(PolicyOptions loaded)
    {
        Notify("RELOADING=1");
        try
        {
            TakePolicy(loaded);
        }
#pragma warning disable CA1031 // On a timer's thread, where anything unhandled would end the service: a reload that fails is counted and said, never fatal.
        catch (Exception e)
#pragma warning restore CA1031
        {
            metrics.Reload(succeeded: false);
            logger.LogError(e, "Policy reload failed, the running policy stays: {Reason}", e.Message);
        }
        finally
        {
            Notify("READY=1");
        }
    }

    /// <summary>SIGHUP: whatever the policy's reload comes to, outputs open their files again (newsyslog has moved them).</summary>
    private void ReopenOutputs() =>
        _ = run.ReopenOutputsAsync().ContinueWith(
            _ => logger.LogInformation("Output files opened again (SIGHUP)"), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    /// <summary>Tells systemd (when it runs the service) what the service is doing.</summary>
    private void Notify(string state)
    {
        if (systemd.IsEnabled)
            systemd.Notify(new Microsoft.Extensions.Hosting.Systemd.ServiceState(state));
    }

    private void TakePolicy(PolicyOptions loaded)
    {
        string why = reloads.Reason;
        reloads.Watch(loaded.Files);
        if (loaded.Failed)
        {
            metrics.Reload(succeeded: false);
            foreach (var d in loaded.Diagnostics.Where(d => d.IsError))
                logger.LogError("Policy reload failed ({Why}), the running policy stays: {Diagnostic}", why, d.ToString());
            return;
        }

        if (loaded.TakePolicy() is not { } policy)
            return; // this load was handed over already

        int sequences = policy.Sequences.Count;
        var result = run.TryApply(policy);
        if (!result.Accepted)
        {
            metrics.Reload(succeeded: false);
            logger.LogError("Policy reload failed ({Why}), the running policy and its outputs stay: {Reason}", why, result.Refusal);
            return;
        }

        metrics.Reload(succeeded: true);
        logger.LogInformation("Policy {Path} loaded ({Why}): {Sequences} sequences; it applies from the next record", loaded.Path, why, sequences);
    }
}
