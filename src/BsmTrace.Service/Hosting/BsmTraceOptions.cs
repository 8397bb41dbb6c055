namespace BsmTrace.Service.Hosting;

/// <summary>
/// The service's settings (section <c>BsmTrace</c> of appsettings.json; the
/// environment and the command line override them). The original's letters
/// map onto these.
/// </summary>
public sealed class BsmTraceOptions
{
    public const string Section = "BsmTrace";

    /// <summary><c>-a</c>: a trail file, "-" for stdin, a FIFO, or the audit pipe.</summary>
    public string Source { get; set; } = "/dev/auditpipe";

    /// <summary><c>--follow</c>: keep reading a trail as it grows and across auditd's rotations; reopen a FIFO when its writer goes.</summary>
    public bool Follow { get; set; }

    /// <summary><c>--metrics-listen HOST:PORT</c>: where Prometheus scrapes /metrics; empty turns it off.</summary>
    public string MetricsListen { get; set; } = "127.0.0.1:9464";

    /// <summary>
    /// Batches that may wait between the reader and the matchers in the service: slack for bursts
    /// from a live source. A trail read to its end uses the pipeline's own two (its reader waits).
    /// </summary>
    public int QueuedBatches { get; set; } = 8;

    /// <summary>Records kept as evidence per instance (the first and the latest), when an output writes them (-B, bsm and json channels).</summary>
    public int MaxEvidenceRecords { get; set; } = 16;

    /// <summary>The audit pipe's preselection and queue.</summary>
    public AuditPipeOptions AuditPipe { get; set; } = new();

    /// <summary><c>-f</c>: the policy file.</summary>
    public string Policy { get; set; } = "/usr/local/etc/bsmtrace.conf";

    /// <summary><c>-l</c>: the directory for bsmtrace.log (and evidence with <c>-B</c>); empty for none.</summary>
    public string? LogDirectory { get; set; }

    /// <summary><c>-F</c>: alerts as classic lines on stderr (unless a log directory is set) instead of syslog.</summary>
    public bool Foreground { get; set; }

    /// <summary><c>-B</c>: evidence files of the matched records under the log directory.</summary>
    public bool Evidence { get; set; }

    /// <summary><c>-b</c>: the raw bytes of every record that matches a state, on stdout.</summary>
    public bool RawDump { get; set; }

    /// <summary><c>-d</c>: more detail in logs and errors.</summary>
    public bool Debug { get; set; }

    /// <summary><c>-p</c>: the pidfile, held locked while bsmtrace runs (pidfile(3)), removed at exit.</summary>
    public string? PidFile { get; set; }

    /// <summary>
    /// <c>--state-dir</c>: where checkpoints are kept. Unset, the service keeps them in the system's
    /// place for them (<see cref="DefaultStateDirectory"/>) and a trail run keeps none; empty, none is kept.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>Seconds between checkpoints while records are read.</summary>
    public int CheckpointSeconds { get; set; } = 5;

    /// <summary>The service's state directory when none is set: /var/db/bsmtrace on FreeBSD and macOS, /var/lib/bsmtrace elsewhere (systemd's StateDirectory=).</summary>
    public static string DefaultStateDirectory => OperatingSystem.IsFreeBSD() || OperatingSystem.IsMacOS() ? "/var/db/bsmtrace" : "/var/lib/bsmtrace";

    /// <summary>The syslog daemon's local socket (/var/run/log on FreeBSD, /var/run/syslog on macOS, /dev/log on Linux).</summary>
    public string SyslogSocket { get; set; } = Unix.Syslog.DefaultSocket;

    /// <summary>Whether evidence files are written for every alert (<c>-B</c> needs a log directory to put them in).</summary>
    public bool WritesEvidenceFiles => Evidence && !string.IsNullOrEmpty(LogDirectory);

    /// <summary>Whether this is the service (a live source, or anything followed) rather than a trail run to the end of its input.</summary>
    public bool RunsAsService => Follow || (Source != "-" && File.Exists(Source) && Unix.FileKind.IsStream(Source));

    /// <summary>Matcher workers; 0 for one per processor beyond the reader's.</summary>
    public int Workers { get; set; }

    /// <summary>Live instances at most; the oldest are evicted past it.</summary>
    public int MaxInstances { get; set; } = 1_000_000;

    /// <summary>Paths remembered by (file system, inode) for records that carry only an attribute.</summary>
    public int MaxRememberedPaths { get; set; } = 65_536;

    /// <summary>Mebibytes the remembered paths may take; past it the least recently used go (counted).</summary>
    public int RememberedPathMegabytes { get; set; } = (int)(Matching.MatchEngineOptions.DefaultRememberedPathBudgetBytes >> 20);

    /// <summary>Mebibytes of records all live instances may keep as evidence; past it each keeps its first and latest (the rest counted).</summary>
    public int EvidenceMegabytes { get; set; } = (int)(Matching.MatchEngineOptions.DefaultEvidenceBudgetBytes >> 20);

    /// <summary>Mebibytes of alerts each output's queue may hold while the output is behind.</summary>
    public int SinkQueueMegabytes { get; set; } = (int)(Alerts.AlertDispatcher.DefaultQueueBytes >> 20);

    /// <summary>
    /// The user to become once what needs root is open (the audit pipe, the pidfile, the log and
    /// state directories); triggers then run as that user. Empty: stay as started.
    /// </summary>
    public string? User { get; set; }

    /// <summary>The account <see cref="User"/> names, from the user database (asked once per name); null when none is set or the system has none of that name.</summary>
    public Unix.ServiceAccount? Account
    {
        get
        {
            if (string.IsNullOrEmpty(User))
                return null;
            if (_accountOf != User)
            {
                _account = Unix.ServiceAccount.Find(User);
                _accountOf = User;
            }

            return _account;
        }
    }

    private string? _accountOf;
    private Unix.ServiceAccount? _account;

    public string? EventFile { get; set; }

    public string? ClassFile { get; set; }

    /// <summary>Trigger commands running at once, at most.</summary>
    public int MaxTriggers { get; set; } = 4;

    /// <summary>Seconds a trigger may run before it is killed.</summary>
    public int TriggerTimeoutSeconds { get; set; } = 30;

    /// <summary>Steps a pcre pattern may take on one path before it gives up (and the record counts as matching it).</summary>
    public int PatternMatchLimit { get; set; } = (int)BsmTrace.Policy.Pcre.PcreLimits.DefaultMatchLimit;

    /// <summary>Backtracking depth a pcre pattern may reach on one path (the interpreter's; the JIT has its own stack).</summary>
    public int PatternDepthLimit { get; set; } = (int)BsmTrace.Policy.Pcre.PcreLimits.DefaultDepthLimit;

    /// <summary>
    /// The matcher workers to run: as many as asked, else one per processor
    /// beyond the one the reader keeps busy (on two cores, one worker beats two:
    /// three busy threads on two cores only wait for each other).
    /// </summary>
    public int EffectiveWorkers => Workers > 0 ? Workers : Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>What a run is made of, from these settings.</summary>
    /// <param name="stderr">Where classic lines go in the foreground.</param>
    /// <param name="bufferStderr">Whether nothing but alerts is written there (a trail run), so it may be buffered.</param>
    public Running.RunSettings RunSettings(TextWriter stderr, bool bufferStderr) => new()
    {
        Source = Source,
        Follow = Follow,
        StateDirectory = StateDirectory ?? (RunsAsService ? DefaultStateDirectory : null),
        Account = Account,
        CheckpointInterval = TimeSpan.FromSeconds(CheckpointSeconds),
        QueuedBatches = QueuedBatches,
        RawDump = RawDump,
        Engine = new Matching.MatchEngineOptions
        {
            Workers = EffectiveWorkers,
            MaxInstances = MaxInstances,
            MaxRememberedPaths = MaxRememberedPaths,
            RememberedPathBudgetBytes = (long)RememberedPathMegabytes << 20,
            MaxEvidenceRecords = MaxEvidenceRecords,
            EvidenceBudgetBytes = (long)EvidenceMegabytes << 20,
            KeepEvidence = WritesEvidenceFiles,
        },
        Triggers = new Triggers.TriggerRunnerOptions
        {
            MaxConcurrent = MaxTriggers,
            Timeout = TimeSpan.FromSeconds(TriggerTimeoutSeconds),
        },
        Outputs = new Alerts.AlertOutputSettings
        {
            Foreground = Foreground,
            LogDirectory = string.IsNullOrEmpty(LogDirectory) ? null : LogDirectory,
            Evidence = Evidence,
            SyslogSocket = SyslogSocket,
            QueueBudgetBytes = (long)SinkQueueMegabytes << 20,
            Account = Account,
            Stderr = stderr,
            BufferStderr = bufferStderr,
        },
        AuditPipe = new Sources.AuditPipeSettings
        {
            Mode = AuditPipe.Mode,
            Flags = AuditPipe.Flags,
            NonAttributableFlags = AuditPipe.NonAttributableFlags,
            QueueLimit = AuditPipe.QueueLimit,
            ClassFile = NullIfEmpty(ClassFile),
        },
    };

    /// <summary>
    /// What the policy's names resolve against: the configured event and class
    /// tables (empty settings mean the host's or the built-in ones), and the limits its patterns
    /// are compiled with.
    /// </summary>
    public BsmTrace.Policy.PolicyEnvironment PolicyEnvironment(Unix.UserDatabase users) =>
        BsmTrace.Policy.PolicyEnvironment.Load(NullIfEmpty(EventFile), NullIfEmpty(ClassFile), users) with
        {
            Account = Account,
            PatternLimits = new BsmTrace.Policy.Pcre.PcreLimits { MatchLimit = (uint)PatternMatchLimit, DepthLimit = (uint)PatternDepthLimit },
        };

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
