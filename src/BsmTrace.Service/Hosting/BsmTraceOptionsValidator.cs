using Microsoft.Extensions.Options;

namespace BsmTrace.Service.Hosting;

/// <summary>
/// The one check of the settings, whatever their source (appsettings.json, the environment, the
/// command line), for the trail command and the service alike. Each failure is a sentence that
/// names the setting, its flag where it has one, and the value that was refused.
/// </summary>
public sealed class BsmTraceOptionsValidator : IValidateOptions<BsmTraceOptions>
{
    public ValidateOptionsResult Validate(string? name, BsmTraceOptions options)
    {
        var failures = Failures(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static List<string> Failures(BsmTraceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Require(bool ok, string setting, string rule, object? value)
        {
            if (!ok)
                failures.Add($"{setting} {rule}, not {Shown(value)}");
        }

        Require(!string.IsNullOrWhiteSpace(options.Source), "-a (BsmTrace:Source)", "must name a trail, '-', a FIFO or an audit pipe", options.Source);
        Require(!string.IsNullOrWhiteSpace(options.Policy), "-f (BsmTrace:Policy)", "must name the policy file", options.Policy);
        Require(options.Workers >= 0, "--workers (BsmTrace:Workers)", "must be 0 (one per processor) or more", options.Workers);
        Require(options.MaxInstances >= 1, "--max-instances (BsmTrace:MaxInstances)", "must be at least 1", options.MaxInstances);
        Require(options.MaxRememberedPaths >= 0, "BsmTrace:MaxRememberedPaths", "must be 0 or more", options.MaxRememberedPaths);
        Require(options.QueuedBatches >= 1, "BsmTrace:QueuedBatches", "must be at least 1", options.QueuedBatches);
        Require(options.MaxEvidenceRecords >= 2, "BsmTrace:MaxEvidenceRecords", "must be at least 2", options.MaxEvidenceRecords);
        Require(options.MaxTriggers >= 1, "BsmTrace:MaxTriggers", "must be at least 1", options.MaxTriggers);
        Require(options.CheckpointSeconds >= 1, "BsmTrace:CheckpointSeconds", "must be at least 1", options.CheckpointSeconds);
        Require(options.TriggerTimeoutSeconds >= 1, "BsmTrace:TriggerTimeoutSeconds", "must be at least 1", options.TriggerTimeoutSeconds);
        Require(options.RememberedPathMegabytes >= 1, "BsmTrace:RememberedPathMegabytes", "must be at least 1", options.RememberedPathMegabytes);
        Require(options.EvidenceMegabytes >= 1, "BsmTrace:EvidenceMegabytes", "must be at least 1", options.EvidenceMegabytes);
        Require(options.SinkQueueMegabytes >= 1, "BsmTrace:SinkQueueMegabytes", "must be at least 1", options.SinkQueueMegabytes);
        if (!string.IsNullOrEmpty(options.User))
        {
            Require(options.Account is not null, "--user (BsmTrace:User)", "names no user of this system", options.User);
            Require(options.Account is null || Unix.FileKind.EffectiveUserId == 0 || options.Account.Uid == Unix.FileKind.EffectiveUserId,
                "--user (BsmTrace:User)", "can be taken on only by a service started as root", options.User);
        }

        Require(options.PatternMatchLimit >= 1, "BsmTrace:PatternMatchLimit", "must be at least 1", options.PatternMatchLimit);
        Require(options.PatternDepthLimit >= 1, "BsmTrace:PatternDepthLimit", "must be at least 1", options.PatternDepthLimit);
        Require(!string.IsNullOrWhiteSpace(options.SyslogSocket), "BsmTrace:SyslogSocket", "must name the syslog daemon's socket", options.SyslogSocket);
        Require(options.AuditPipe.Mode is "local" or "trail", "BsmTrace:AuditPipe:Mode", "must be local or trail", options.AuditPipe.Mode);
        Require(options.AuditPipe.QueueLimit >= 0, "BsmTrace:AuditPipe:QueueLimit", "must be 0 (the kernel's largest) or more", options.AuditPipe.QueueLimit);
        Require(string.IsNullOrWhiteSpace(options.MetricsListen) || ServiceHost.TryParseListen(options.MetricsListen, out _),
            "--metrics-listen (BsmTrace:MetricsListen)", "must be HOST:PORT, such as 127.0.0.1:9464, or empty for none", options.MetricsListen);
        if (options.Evidence && string.IsNullOrEmpty(options.LogDirectory))
            failures.Add("-B (BsmTrace:Evidence) needs a log directory (-l DIR) to keep the evidence in");
        return failures;
    }

    private static string Shown(object? value) => value switch
    {
        null => "nothing",
        string { Length: 0 } => "empty",
        string s => $"'{s}'",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };
}
