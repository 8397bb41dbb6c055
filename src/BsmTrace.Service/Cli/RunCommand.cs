using BsmTrace.Alerts;
using BsmTrace.Matching;
using BsmTrace.Policy;
using BsmTrace.Policy.Binding;
using BsmTrace.Service.Hosting;
using BsmTrace.Sources;
using BsmTrace.Triggers;
using BsmTrace.Unix;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Service.Cli;

/// <summary>
/// A run over one source to its end: load the policy, open the source, match
/// every record, send alerts to the sinks the options choose, and exit 0 at
/// the end of input (1 if the input was damaged or something could not be
/// opened).
/// </summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(BsmTraceOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        var logger = new StderrLogger(stderr, options.Debug);
        if (options.Evidence && string.IsNullOrEmpty(options.LogDirectory))
        {
            stderr.WriteLine("bsmtrace: -B needs a log directory (-l DIR) to keep the evidence in");
            return CommandLine.Failure;
        }

        var users = new UserDatabase();
        var load = PolicyLoader.Load(options.Policy, options.PolicyEnvironment(users));
        if (load.Policy is not { } policy)
        {
            foreach (var error in load.Errors)
                stderr.WriteLine(error.ToString());
            return CommandLine.Failure;
        }

        using (policy)
        {
            using var pidFile = options.PidFile is { Length: > 0 } pidPath ? PidFile.Create(pidPath) : null;
            Stream input = TrailSource.Open(options.Source);
            await using (input.ConfigureAwait(false))
            {
                var engine = new MatchEngine(policy, options.EngineOptions(), users);
                var sinks = new AlertSinkFactory(users, stderr, bufferStderr: true);
                var dispatcher = new AlertDispatcher(sinks.DefaultSinks(options), sinks.ChannelSinks(policy), logger);
                var triggers = policy.HasTriggers
                    ? new TriggerRunner(options.TriggerOptions(), logger)
                    : null;
                using var rawDump = options.RawDump ? Console.OpenStandardOutput() : null;

                // A pipe or stdin cannot seek: it is live, and batches go on as soon as no record waits.
                // A file is read to its end in larger batches.
                var pipelineOptions = input.CanSeek
                    ? new MatchPipelineOptions { BatchSize = MatchPipelineOptions.FileBatchSize }
                    : new MatchPipelineOptions { Live = true };
                var pipeline = new MatchPipeline(engine, dispatcher, triggers, rawDump, logger, pipelineOptions);
                try
                {
                    await pipeline.RunAsync(input, TrailSource.DisplayName(options.Source), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await dispatcher.DisposeAsync().ConfigureAwait(false);
                    if (triggers is not null)
                        await triggers.DisposeAsync().ConfigureAwait(false);
                }

                if (engine.InstancesEvicted > 0)
                    logger.LogWarning("{Evicted} sequence instances were evicted to stay under the limit of {Max}", engine.InstancesEvicted, options.MaxInstances);
                if (logger.IsEnabled(LogLevel.Debug))
                    logger.LogDebug("{Records} records, {Bytes} bytes, {Alerts} alerts, {Live} instances live at the end; {Allocated} MB allocated, {Collections} collections, {Paused} ms paused for them",
                    pipeline.Records, pipeline.Bytes, dispatcher.PublishedCount, engine.LiveInstances,
                    GC.GetTotalAllocatedBytes() / (1024 * 1024), GC.CollectionCount(0), (long)GC.GetTotalPauseDuration().TotalMilliseconds);
                return pipeline.Damaged > 0 ? CommandLine.Failure : CommandLine.Success;
            }
        }
    }
}
