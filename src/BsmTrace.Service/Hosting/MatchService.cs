using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Sources;
using BsmTrace.Triggers;
using BsmTrace.Unix;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The service's work: open the source, run the match pipeline (a reader
/// thread feeding the matcher workers through a bounded channel), apply
/// policy reloads between batches, and on stop drain everything and report.
/// With <c>Follow</c> a FIFO is reopened when its writer goes, and a trail
/// is followed across rotations; otherwise the end of the source ends the
/// service.
/// </summary>
public sealed class MatchService(
    IOptionsMonitor<BsmTraceOptions> settings,
    IOptionsMonitor<PolicyOptions> policies,
    PolicyReloadSource reloads,
    IEnumerable<AlertSink> defaultSinks,
    AlertSinkFactory sinkFactory,
    UserDatabase users,
    BsmTraceMetrics metrics,
    IHostApplicationLifetime lifetime,
    Microsoft.Extensions.Hosting.Systemd.ISystemdNotifier systemd,
    ILogger<MatchService> logger) : BackgroundService
{
    private PolicyOptions? _pending;

    /// <summary>The exit status the program returns: 1 when the policy or source could not be used or input was damaged.</summary>
    public int ExitCode { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = settings.CurrentValue;
        var loaded = policies.CurrentValue;
        if (loaded.Policy is not { } policy)
        {
            foreach (var d in loaded.Diagnostics.Where(d => d.IsError))
                logger.LogError("{Diagnostic}", d.ToString());
            Fail();
            return;
        }

        reloads.Watch(loaded.Files);
        using var onChange = policies.OnChange(p => OnPolicyChange(p));

        var engine = new MatchEngine(policy, options.EngineOptions(), users);

        var dispatcher = new AlertDispatcher(defaultSinks, sinkFactory.ChannelSinks(policy), logger);
        dispatcher.Published += alert =>
        {
            metrics.Alert(alert);
            logger.LogInformation(
                "Alert {Sequence} (serial {Serial}, priority {Priority}): {SubjectField} {Subject} after {Duration} s, {Records} records, source {Source}",
                alert.Sequence.Name, alert.Sequence.Serial, alert.Sequence.Priority, alert.Sequence.Subject.FieldName, (int)alert.Subject,
                alert.Duration, alert.MatchedRecords, alert.Source);
        };
        var triggers = new TriggerRunner(options.TriggerOptions(), logger);
        metrics.Dispatcher = dispatcher;
        metrics.Triggers = triggers;
        using var rawDump = options.RawDump ? Console.OpenStandardOutput() : null;
        using var pidFile = string.IsNullOrEmpty(options.PidFile) ? null : PidFile.Create(options.PidFile);
        logger.LogInformation("bsmtrace {Version} started: {Sequences} sequences from {Policy}, source {Source}, {Workers} workers",
            Cli.CommandLine.Version, policy.Sequences.Count, options.Policy, options.Source, engine.Workers);

        try
        {
            do
            {
                Stream input;
                try
                {
                    (input, var pipe) = await OpenSourceAsync(options, stoppingToken).ConfigureAwait(false);
                    using var pipeStats = pipe is null ? null : new AuditPipeWatch(pipe, metrics, logger);
                    var pipeline = new MatchPipeline(engine, dispatcher, triggers, rawDump, logger, new MatchPipelineOptions
                    {
                        Live = !input.CanSeek || options.Follow,
                        DropWhenBehind = pipe is not null || AuditPipe.IsAuditPipe(options.Source),
                        QueuedBatches = options.QueuedBatches,
                    });
                    metrics.Track(pipeline);
                    pipeline.BetweenBatches += () => ApplyReload(pipeline, dispatcher);
                    await using (input.ConfigureAwait(false))
                        await pipeline.RunAsync(input, TrailSource.DisplayName(options.Source), stoppingToken).ConfigureAwait(false);
                    engine = pipeline.Engine;
                    if (pipeline.Damaged > 0)
                        ExitCode = 1;
                    pipeStats?.Report();
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break; // stopped while waiting for a FIFO's writer
                }
                catch (IOException e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError("{Reason}", e.Message);
                    ExitCode = 1;
                    break;
                }
            }
            while (options.Follow && !stoppingToken.IsCancellationRequested);
        }
        finally
        {
            await dispatcher.DisposeAsync().ConfigureAwait(false);
            await triggers.DisposeAsync().ConfigureAwait(false);
            logger.LogInformation("bsmtrace stopped: {Alerts} alerts, {Live} instances live, {Evicted} evicted",
                dispatcher.PublishedCount, engine.LiveInstances, engine.InstancesEvicted);
        }

        // A trail read to its end ends the run; a stopped service is stopping anyway.
        lifetime.StopApplication();
    }

    private void Fail()
    {
        ExitCode = 1;
        lifetime.StopApplication();
    }

    private async Task<(Stream, SafeFileHandle?)> OpenSourceAsync(BsmTraceOptions options, CancellationToken stoppingToken)
    {
        SafeFileHandle? pipe = null;
        if (options.Follow && options.Source != "-" && FileKind.IsRegularFile(options.Source))
            return (new FollowingFileStream(options.Source, logger, TimeSpan.FromMilliseconds(250), stoppingToken), null);

        var stream = await TrailSource.OpenAsync(options.Source, stoppingToken).ConfigureAwait(false);
        if (AuditPipe.IsAuditPipe(options.Source) && stream is FileStream file)
        {
            if (AuditPipe.IsSupported)
            {
                pipe = file.SafeFileHandle;
                AuditPipeWatch.Configure(pipe, options.AuditPipe, options.ClassFile, logger);
            }
            else
            {
                logger.LogWarning("{Source}: audit pipe settings (preselection, queue limit, drop counts) are not available on this system; reading it as it is", options.Source);
            }
        }

        return (stream, pipe);
    }

    private void OnPolicyChange(PolicyOptions loaded)
    {
        Notify("RELOADING=1");
        try
        {
            TakePolicy(loaded);
        }
        finally
        {
            Notify("READY=1");
        }
    }

    /// <summary>Tells systemd (when it runs the service) what the service is doing.</summary>
    private void Notify(string state)
    {
        if (systemd.IsEnabled)
            systemd.Notify(new Microsoft.Extensions.Hosting.Systemd.ServiceState(state));
    }

    private void TakePolicy(PolicyOptions loaded)
    {
        reloads.Watch(loaded.Files);
        if (loaded.Policy is null)
        {
            metrics.Reload(succeeded: false);
            foreach (var d in loaded.Diagnostics.Where(d => d.IsError))
                logger.LogError("Policy reload failed, the running policy stays: {Diagnostic}", d.ToString());
            return;
        }

        metrics.Reload(succeeded: true);
        var previous = Interlocked.Exchange(ref _pending, loaded);
        if (previous?.Policy is { } superseded)
            superseded.Dispose();
        logger.LogInformation("Policy {Path} loaded: {Sequences} sequences; it applies from the next record", loaded.Path, loaded.Policy.Sequences.Count);
    }

    private void ApplyReload(MatchPipeline pipeline, AlertDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _pending, null) is not { Policy: { } policy })
            return;
        var previous = pipeline.Engine.Policy;
        var next = pipeline.Engine.Reload(policy, out int kept, out int dropped);
        pipeline.Replace(next);
        // The swap happens before the next batch is matched: nothing uses the old policy's
        // compiled patterns after this, and a storm of reloads must not pile them up.
        previous.Dispose();
        dispatcher.ReplaceChannels(sinkFactory.ChannelSinks(policy));
        logger.LogInformation("Policy applied: {Kept} live instances kept, {Dropped} of changed or removed sequences ended", kept, dropped);
    }
}
