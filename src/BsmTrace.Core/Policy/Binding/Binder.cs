using System.Globalization;
using System.Text;
using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Pcre;
using BsmTrace.Policy.Syntax;
using BsmTrace.Policy.Triggers;

namespace BsmTrace.Policy.Binding;

/// <summary>
/// Walks the syntax trees of a policy and its includes in source order,
/// resolves every name (sets, users, groups, events, classes, channels),
/// checks every rule of the language and compiles what it finds into a
/// <see cref="CompiledPolicy"/>. Sets are visible from their definition on,
/// across included files. Every error is collected; a policy with any error
/// yields no compiled policy.
/// </summary>
internal sealed class Binder
{
    public const int MaxMultiplier = 10_000;
    public const int MaxIncludeDepth = 32;

    private static readonly Dictionary<string, long> Units = new(StringComparer.Ordinal)
    {
        ["seconds"] = 1, ["second"] = 1,
        ["minutes"] = 60, ["minute"] = 60,
        ["hours"] = 3600, ["hour"] = 3600,
        ["days"] = 86_400, ["day"] = 86_400,
        ["weeks"] = 604_800, ["week"] = 604_800,
    };

    private static readonly string[] Scopes = ["global", "process", "session", "thread"];
    private static readonly string[] Statuses = ["success", "failure", "any"];
    private static readonly string[] ChannelTypes = ["stderr", "syslog", "file", "bsm", "json"];

    private static readonly string[] SyslogFacilities =
        ["auth", "authpriv", "console", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "ntp", "security", "syslog", "user", "uucp",
         "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"];

    private static readonly string[] SyslogLevels = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    private readonly PolicyEnvironment _env;
    private readonly Dictionary<(string Content, bool Negated, string Description), (EventMatcher Matcher, ulong[] Source)> _eventMatchers = [];
    private readonly Dictionary<(BoundSet Set, int Paths, int Patterns, bool Negated, string Description), ObjectMatcher> _objectMatchers = [];
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, BoundSet> _sets = new(StringComparer.Ordinal);
    private readonly List<BoundSet> _definedSets = [];
    private readonly Dictionary<string, LogChannelDefinition> _channels = new(StringComparer.Ordinal);
    // Every sequence name seen, even of sequences with errors, so that a duplicate is reported either way.
    private readonly Dictionary<string, SourceLocation> _sequenceNames = new(StringComparer.Ordinal);
    private readonly List<SequenceDefinition> _sequenceOrder = [];
    private readonly List<string> _files = [];
    private readonly List<(string File, string Problem)> _untrustedFiles = [];
    private readonly List<TriggerTemplate> _triggers = [];
    private readonly List<string> _includeStack = [];
    private readonly Dictionary<string, PcrePattern> _patterns = new(StringComparer.Ordinal);
    private string? _logFile;
    private bool _pcreMissingReported;

    public Binder(PolicyEnvironment environment, DiagnosticBag diagnostics)
    {
        _env = environment;
        _diagnostics = diagnostics;
    }

    public PolicyLoadResult BindPolicy(string path, string? text)
    {
        BindFile(path, text, includedFrom: null);
        PolicyChecks.Run(path, _definedSets, _sequenceOrder, _diagnostics);
        TrustChecks.Run(_untrustedFiles, _triggers, [.. _channels.Values], _env.Account, _diagnostics);

        // In reading order: file by file as they were read, then line and column (the parser's
        // findings for a file come before the binder's otherwise).
        var diagnostics = _diagnostics.Items
            .OrderBy(d => _files.IndexOf(d.Location.File) is var i && i < 0 ? int.MaxValue : i)
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ToList();
        if (_diagnostics.IsFull)
            diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, diagnostics.Last(d => d.IsError).Location, $"too many errors ({_diagnostics.ErrorLimit}); stopped looking"));

        if (_diagnostics.HasErrors)
        {
            foreach (var p in _patterns.Values)
                p.Dispose();
            return new PolicyLoadResult(null, diagnostics, _files);
        }

        var policy = new CompiledPolicy(_sequenceOrder, [.. _channels.Values], _files, _env.Events, [.. _patterns.Values]);
        return new PolicyLoadResult(policy, diagnostics, _files);
    }

    private void BindFile(string path, string? text, SourceLocation? includedFrom)
    {
        string full = Path.GetFullPath(path);
        if (includedFrom is { } from)
        {
            int open = _includeStack.IndexOf(full);
            if (open >= 0)
            {
                var chain = string.Join(" includes ", _includeStack.Skip(open).Append(full).Select(Path.GetFileName));
                _diagnostics.Error(from, $"include cycle: {chain}");
                return;
            }

            if (_includeStack.Count >= MaxIncludeDepth)
            {
                _diagnostics.Error(from, $"includes are nested more than {MaxIncludeDepth} deep");
                return;
            }
        }

        if (text is null)
        {
            if (PolicyFile.Read(path, _env.Account, out string? why) is not { } file)
            {
                _diagnostics.Error(includedFrom ?? new SourceLocation(path, 0, 0),
                    includedFrom is null ? $"cannot read the policy: {why}" : $"cannot read included file '{path}': {why}");
                return;
            }

            text = file.Text;
            if (file.TrustProblem is { } problem)
                _untrustedFiles.Add((path, problem));
        }

        _files.Add(path);
        _includeStack.Add(full);
        var syntax = Parser.Parse(text, path, _diagnostics);
        foreach (var item in syntax.Items)
        {
            if (_diagnostics.IsFull)
                break;
            switch (item)
            {
                case DefineSetSyntax define:
                    BindDefinition(define);
                    break;
                case IncludeSyntax include:
                    string target = Path.IsPathRooted(include.Path) ? include.Path : Path.Combine(Path.GetDirectoryName(path) ?? "", include.Path);
                    BindFile(target, null, include.Location);
                    break;
                case LogFileSyntax logFile:
                    BindLogFile(logFile);
                    break;
                case LogChannelSyntax channel:
                    BindChannel(channel);
                    break;
                case SequenceSyntax sequence:
                    BindSequence(sequence);
                    break;
            }
        }

        _includeStack.RemoveAt(_includeStack.Count - 1);
    }

    private void BindDefinition(DefineSetSyntax define)
    {
        var set = BindSetBody(define.Name, define.Body, define.Location);
        if (set is null)
            return;
        if (_sets.TryGetValue(define.Name, out var earlier))
        {
            _diagnostics.Error(define.Location, $"set {define.Name} is already defined at {earlier.Location}");
            return;
        }

        _sets.Add(define.Name, set);
        _definedSets.Add(set);
    }

    private void BindLogFile(LogFileSyntax logFile)
    {
        string name = logFile.Name;
        if (name.Length == 0 || Path.IsPathRooted(name) || name.Split('/').Any(part => part is ".." or ""))
        {
            _diagnostics.Error(logFile.Location, $"logfile '{name}' must be a relative file name inside the log directory, without '..'");
            return;
        }

        _logFile = name;
    }

    private void BindChannel(LogChannelSyntax syntax)
    {
        if (_channels.TryGetValue(syntax.Name, out var earlier))
        {
            _diagnostics.Error(syntax.Location, $"log channel {syntax.Name} is already defined at {earlier.Location}");
            return;
        }

        int typeIndex = Array.IndexOf(ChannelTypes, syntax.TypeName);
        if (typeIndex < 0)
        {
            _diagnostics.Error(syntax.TypeLocation, $"unknown log channel type '{syntax.TypeName}'; expected stderr, syslog, file, bsm or json{Hint(syntax.TypeName, ChannelTypes)}");
            return;
        }

        var kind = (LogChannelKind)typeIndex;
        string[] allowed = kind switch
        {
            LogChannelKind.Syslog => ["priority"],
            LogChannelKind.File or LogChannelKind.Json => ["path"],
            LogChannelKind.Bsm => ["directory"],
            _ => [],
        };

        var channel = new LogChannelDefinition(syntax.Name, kind, syntax.Location);
        bool ok = true;
        foreach (var option in syntax.Options)
        {
            if (!allowed.Contains(option.Name))
            {
                string expected = allowed.Length == 0 ? "a stderr channel takes no options" : $"a {syntax.TypeName} channel takes {string.Join(" and ", allowed)}";
                _diagnostics.Error(option.Location, $"unknown option '{option.Name}' for log channel {syntax.Name}: {expected}{Hint(option.Name, allowed)}");
                ok = false;
                continue;
            }

            switch (option.Name)
            {
                case "priority":
                    var parts = option.Value.Split('.');
                    if (parts.Length != 2 || !SyslogFacilities.Contains(parts[0]) || !SyslogLevels.Contains(parts[1]))
                    {
                        _diagnostics.Error(option.Location, $"syslog priority '{option.Value}' must be FACILITY.LEVEL, such as auth.notice or local3.warning");
                        ok = false;
                    }
                    else
                    {
                        channel = channel with { SyslogFacility = parts[0], SyslogLevel = parts[1] };
                    }

                    break;
                case "path":
                    channel = channel with { Path = option.Value };
                    break;
                case "directory":
                    channel = channel with { Directory = option.Value };
                    break;
            }
        }

        if (kind is LogChannelKind.File or LogChannelKind.Json && string.IsNullOrEmpty(channel.Path))
        {
            _diagnostics.Error(syntax.Location, $"log channel {syntax.Name} needs a path (path \"FILE\"{(kind == LogChannelKind.Json ? ", or \"-\" for stdout" : "")})");
            ok = false;
        }

        if (kind == LogChannelKind.Bsm && string.IsNullOrEmpty(channel.Directory))
        {
            _diagnostics.Error(syntax.Location, $"log channel {syntax.Name} needs a directory (directory \"DIR\")");
            ok = false;
        }

        if (ok)
            _channels.Add(syntax.Name, channel);
    }

    private BoundSet? BindSetBody(string name, SetBodySyntax body, SourceLocation location)
    {
        if (!SetTypes.TryParse(body.TypeName, out var type))
        {
            _diagnostics.Error(body.TypeLocation, $"unknown set type '{body.TypeName}'; expected auid, euid, ruid, egid, rgid, auditevent, auditclass, path, pcre or logchannel{Hint(body.TypeName, SetTypes.Names)}");
            return null;
        }

        var set = new BoundSet(name, type, location);
        foreach (var item in body.Items)
        {
            if (item.IsSetReference)
            {
                if (ResolveSet(item.Text, item.Location) is not { } other)
                    continue;
                if (other.Type != type)
                {
                    _diagnostics.Error(item.Location, $"set {other.Name} is a <{other.Type.Name()}> set and cannot be merged into a <{type.Name()}> set");
                    continue;
                }

                set.MergeFrom(other);
                continue;
            }

            BindItem(set, item);
        }

        return set;
    }

    private void BindItem(BoundSet set, SetItemSyntax item)
    {
        string text = item.Text;
        switch (set.Type)
        {
            case SetType.Auid or SetType.Euid or SetType.Ruid:
                if (_env.Users.TryGetUserId(text, out uint uid) || TryParseId(text, out uid))
                    set.AddId(uid);
                else
                    _diagnostics.Error(item.Location, $"unknown user '{text}': not in the user database and not a number");
                break;
            case SetType.Egid or SetType.Rgid:
                if (_env.Users.TryGetGroupId(text, out uint gid) || TryParseId(text, out gid))
                    set.AddId(gid);
                else
                    _diagnostics.Error(item.Location, $"unknown group '{text}': not in the group database and not a number");
                break;
            case SetType.AuditEvent:
                if (_env.Events.TryGetByName(text, out var auditEvent))
                    set.AddEvent(auditEvent.Number);
                else if (ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ushort number))
                    set.AddEvent(number);
                else
                    _diagnostics.Error(item.Location, $"unknown audit event '{text}' (not in {_env.Events.Source}){Hint(text, _env.Events.Events.Select(e => e.Name))}");
                break;
            case SetType.AuditClass:
                if (_env.Classes.TryGetByName(text, out var auditClass))
                {
                    set.ClassMask |= auditClass.Mask;
                    set.ClassNames.Add(text);
                }
                else
                {
                    _diagnostics.Error(item.Location, $"unknown audit class '{text}' (not in {_env.Classes.Source}){Hint(text, _env.Classes.Classes.Select(c => c.Name))}");
                }

                break;
            case SetType.Path:
                if (text.StartsWith('/'))
                    set.Paths.Add(text);
                else
                    _diagnostics.Error(item.Location, $"path '{text}' is not absolute: path items start with '/'");
                break;
            case SetType.Pcre:
                if (CompilePattern(text, item.Location) is { } pattern)
                    set.Patterns.Add(pattern);
                break;
            case SetType.LogChannel:
                string channelName = text.StartsWith('$') ? text : "$" + text;
                if (_channels.TryGetValue(channelName, out var channel))
                    set.Channels.Add(channel);
                else
                    _diagnostics.Error(item.Location, $"unknown log channel {channelName}{Hint(channelName, _channels.Keys)}");
                break;
        }
    }

    private static bool TryParseId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private PcrePattern? CompilePattern(string text, SourceLocation at)
    {
        if (_patterns.TryGetValue(text, out var cached))
            return cached;
        try
        {
            var pattern = PcrePattern.Compile(text, _env.PatternLimits);
            _patterns.Add(text, pattern);
            if (NestedQuantifiers.Find(text) is var nested and >= 0)
            {
                _diagnostics.Warning(at, $"pattern '{text}' repeats a group that itself repeats (at offset {nested}): a path made to almost match " +
                    "uses up the pattern's step limit on every record, and such records count as matching (setting PatternMatchLimit); " +
                    "make the inner repetition possessive (x++) or the group atomic ((?>...))");
            }

            return pattern;
        }
        catch (PcreCompileException e)
        {
            _diagnostics.Error(at, $"bad regular expression '{text}': {e.Message} at offset {e.PatternOffset}");
        }
        catch (DllNotFoundException)
        {
            if (!_pcreMissingReported)
            {
                _diagnostics.Error(at, "pcre sets need the PCRE2 library (libpcre2-8), which this host does not have; install pcre2 (FreeBSD: pkg install pcre2; macOS: brew install pcre2; Debian: apt install libpcre2-8-0)");
                _pcreMissingReported = true;
            }
        }

        return null;
    }

    private BoundSet? ResolveSet(string name, SourceLocation at)
    {
        if (_sets.TryGetValue(name, out var set))
        {
            set.Used = true;
            return set;
        }

        _diagnostics.Error(at, $"unknown set {name}{Hint(name, _sets.Keys)}");
        return null;
    }

    /// <summary>Resolves the set a subject, event or object names; null (after reporting) when it is unknown or of the wrong type.</summary>
    private BoundSet? BindSetUse(SetUseSyntax use, Func<SetType, bool> allowed, string role, string expected)
    {
        BoundSet? set = use.Reference is not null
            ? ResolveSet(use.Reference, use.Location)
            : BindSetBody("<anonymous>", use.Inline!, use.Location);
        if (set is null)
            return null;
        if (!allowed(set.Type))
        {
            string what = use.Reference is not null ? $"set {set.Name} is" : "this set is";
            _diagnostics.Error(use.Location, $"{role} needs {expected}; {what} a <{set.Type.Name()}> set");
            return null;
        }

        return set;
    }

    private static string Describe(SetUseSyntax use, BoundSet set) =>
        (use.Negated ? "not " : "") + (use.Reference ?? $"<{set.Type.Name()}> {{ {set.Content} }}");

    private void BindSequence(SequenceSyntax syntax)
    {
        string name = syntax.Name;
        bool ok = true;
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        SubjectSelector? subject = null;
        long? timeout = null;
        long window = 0;
        int probability = 65, priority = 0, serial = 0;
        var scope = SequenceScope.Global;
        var zone = ZoneRule.Unrestricted;
        var channels = new List<LogChannelDefinition>();
        var canonical = new StringBuilder();

        foreach (var option in syntax.Options)
        {
            if (seen.TryGetValue(option.Keyword, out var first))
            {
                _diagnostics.Error(option.Location, $"'{option.Keyword}' is given twice in sequence {name} (first at line {first.Line})");
                ok = false;
                continue;
            }

            seen.Add(option.Keyword, option.Location);
            switch (option)
            {
                case SubjectOptionSyntax s:
                    subject = BindSubject(s);
                    ok &= subject is not null;
                    break;
                case TimeoutOptionSyntax t:
                    if (t.Duration is not null)
                    {
                        timeout = BindDuration(t.Duration, "timeout");
                        ok &= timeout is not null;
                    }

                    break;
                case TimeoutWindowOptionSyntax w:
                    long? seconds = BindDuration(w.Duration, "timeout-window");
                    ok &= seconds is not null;
                    window = seconds ?? 0;
                    break;
                case NumberOptionSyntax { Keyword: "timeout-prob" } p:
                    if (p.Value is < 1 or > 100)
                    {
                        _diagnostics.Error(p.ValueLocation, $"timeout-prob must be a percentage from 1 to 100, found {p.Value}");
                        ok = false;
                    }

                    probability = (int)p.Value;
                    break;
                case NumberOptionSyntax { Keyword: "priority" } p:
                    priority = (int)p.Value;
                    break;
                case NumberOptionSyntax p:
                    serial = (int)p.Value;
                    break;
                case WordOptionSyntax { Keyword: "scope" } w:
                    int index = Array.IndexOf(Scopes, w.Value);
                    if (index < 0 || w.IsQuoted)
                    {
                        _diagnostics.Error(w.ValueLocation, $"unknown scope '{w.Value}'; expected global, process, session or thread{Hint(w.Value, Scopes)}");
                        ok = false;
                    }

                    scope = (SequenceScope)Math.Max(index, 0);
                    break;
                case WordOptionSyntax w: // zone
                    zone = w switch
                    {
                        { IsQuoted: false, Value: "none" } => ZoneRule.None,
                        { IsQuoted: false, Value: "any" } => ZoneRule.Any,
                        _ => ZoneRule.Glob(w.Value),
                    };
                    break;
                case LogOptionSyntax l:
                    foreach (var (channelName, at) in l.Channels)
                    {
                        if (_channels.TryGetValue(channelName, out var channel))
                        {
                            channels.Add(channel);
                        }
                        else if (_sets.TryGetValue(channelName, out var set) && set.Type == SetType.LogChannel)
                        {
                            set.Used = true;
                            channels.AddRange(set.Channels);
                        }
                        else
                        {
                            _diagnostics.Error(at, $"unknown log channel {channelName}{Hint(channelName, _channels.Keys)}");
                            ok = false;
                        }
                    }

                    break;
            }
        }

        if (subject is null && !seen.ContainsKey("subject") && !syntax.Incomplete)
        {
            _diagnostics.Error(syntax.Location, $"sequence {name} has no subject; add 'subject any;' or 'subject $SET;'");
            ok = false;
        }

        if (syntax.States.Count == 0 && !syntax.Incomplete)
        {
            _diagnostics.Error(syntax.Location, $"sequence {name} has no states; a sequence needs at least one 'state {{ event …; status …; }};'");
            ok = false;
        }

        var states = new List<StateDefinition>();
        for (int i = 0; i < syntax.States.Count; i++)
        {
            var bound = BindState(syntax.States[i], i, name);
            if (bound is null)
            {
                ok = false;
                continue;
            }

            var (state, multiplier) = bound.Value;
            for (int m = 0; m < multiplier; m++)
                states.Add(state);
        }

        if (!_sequenceNames.TryAdd(name, syntax.Location))
        {
            _diagnostics.Error(syntax.Location, $"sequence {name} is already defined at {_sequenceNames[name]}");
            return;
        }

        if (!ok || syntax.Incomplete || subject is null)
            return;

        canonical.Append(CultureInfo.InvariantCulture, $"subject {subject.Field} {subject.Negated} [{SubjectSelector.Join(subject.SortedIds)}] any={subject.IsAny}; ");
        canonical.Append(CultureInfo.InvariantCulture, $"timeout {timeout?.ToString(CultureInfo.InvariantCulture) ?? "none"}; window {window}; prob {probability}; ");
        canonical.Append(CultureInfo.InvariantCulture, $"priority {priority}; serial {serial}; scope {scope}; {zone}; logfile {_logFile}; ");
        canonical.Append(CultureInfo.InvariantCulture, $"log {string.Join(',', channels.Select(c => c.ToString()))}; ");
        foreach (var state in states)
            canonical.Append(CultureInfo.InvariantCulture, $"state {{ {StateFingerprint(state)} }} ");

        var sequence = new SequenceDefinition
        {
            Name = name,
            Location = syntax.Location,
            Subject = subject,
            States = states,
            TimeoutSeconds = timeout,
            TimeoutWindowSeconds = window,
            TimeoutProbability = probability,
            Priority = priority,
            Serial = serial,
            Scope = scope,
            Zone = zone,
            LogChannels = channels,
            LogFile = _logFile,
            Fingerprint = canonical.ToString(),
        };
        _sequenceOrder.Add(sequence);
    }

    private static string StateFingerprint(StateDefinition state)
    {
        var events = state.Event.IsAny ? "any" : state.Event.Canonical;
        var obj = state.Object is null ? "none" : state.Object.Canonical;
        return $"event {events}; status {state.Status}; object {obj}; trigger {state.Trigger?.Command}";
    }

    private SubjectSelector? BindSubject(SubjectOptionSyntax option)
    {
        var use = option.Set;
        if (use.IsAny)
        {
            if (use.Negated)
            {
                _diagnostics.Error(use.Location, "'subject not any' matches no record; write 'subject any;' or name a set");
                return null;
            }

            return SubjectSelector.Any;
        }

        var set = BindSetUse(use, t => t.IsSubject(), "subject", "a set of users or groups (auid, euid, ruid, egid or rgid)");
        return set is null ? null : SubjectSelector.For(set.Type.ToSubjectField(), use.Negated, set.Ids, Describe(use, set));
    }

    private long? BindDuration(DurationSyntax duration, string option)
    {
        if (!Units.TryGetValue(duration.Unit, out long unit))
        {
            _diagnostics.Error(duration.UnitLocation, $"unknown time unit '{duration.Unit}' for {option}; expected seconds, minutes, hours, days or weeks{Hint(duration.Unit, Units.Keys)}");
            return null;
        }

        return duration.Amount * unit; // amount <= int.MaxValue, unit <= 604800: no overflow
    }

    private (StateDefinition State, int Multiplier)? BindState(StateSyntax syntax, int index, string sequence)
    {
        bool ok = true;
        EventMatcher? events = null;
        StatusRule? status = null;
        ObjectMatcher? objects = null;
        TriggerTemplate? trigger = null;
        int multiplier = 1;
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);

        foreach (var option in syntax.Options)
        {
            if (option is not StatusOptionSyntax && seen.TryGetValue(option.Keyword, out var first))
            {
                _diagnostics.Error(option.Location, $"'{option.Keyword}' is given twice in a state of sequence {sequence} (first at line {first.Line})");
                ok = false;
                continue;
            }

            seen.TryAdd(option.Keyword, option.Location);
            switch (option)
            {
                case EventOptionSyntax e:
                    events = BindEvents(e.Set);
                    ok &= events is not null;
                    break;
                case StatusOptionSyntax s:
                    int at = Array.IndexOf(Statuses, s.Value);
                    if (at < 0)
                    {
                        _diagnostics.Error(s.ValueLocation, $"unknown status '{s.Value}'; expected success, failure or any{Hint(s.Value, Statuses)}");
                        ok = false;
                        break;
                    }

                    // Several status lines must all hold: success and failure together can never match (check warns).
                    var rule = at switch { 0 => StatusRule.Success, 1 => StatusRule.Failure, _ => StatusRule.Any };
                    status = (status, rule) switch
                    {
                        (null or StatusRule.Any, _) => rule,
                        (_, StatusRule.Any) => status,
                        var (a, b) when a == b => a,
                        _ => StatusRule.Never,
                    };
                    break;
                case ObjectOptionSyntax o:
                    objects = BindObject(o.Set);
                    ok &= objects is not null;
                    break;
                case MultiplierOptionSyntax m:
                    if (!int.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out multiplier) || multiplier < 1)
                    {
                        _diagnostics.Error(m.ValueLocation, $"multiplier must be a whole number of at least 1, found '{m.Value}'");
                        ok = false;
                        multiplier = 1;
                    }
                    else if (multiplier > MaxMultiplier)
                    {
                        _diagnostics.Error(m.ValueLocation, $"multiplier {multiplier} is more than the limit of {MaxMultiplier}");
                        ok = false;
                        multiplier = 1;
                    }

                    break;
                case TriggerOptionSyntax t:
                    trigger = TriggerTemplate.Parse(t.Command, t.CommandLocation, out var errors);
                    foreach (var error in errors)
                        _diagnostics.Error(t.CommandLocation, error);
                    ok &= trigger is not null;
                    if (trigger is not null)
                    {
                        trigger = trigger.WithProgramPath(ProgramSearch.Find(trigger.ProgramName, _env.SearchPath));
                        _triggers.Add(trigger);
                    }

                    break;
            }
        }

        if (!seen.ContainsKey("event") && !syntax.Incomplete)
        {
            _diagnostics.Error(syntax.Location, $"state {index + 1} of sequence {sequence} has no event; add 'event $SET;' or 'event any;'");
            ok = false;
        }

        if (!seen.ContainsKey("status") && !syntax.Incomplete)
        {
            _diagnostics.Error(syntax.Location, $"state {index + 1} of sequence {sequence} has no status; add 'status success;', 'status failure;' or 'status any;'");
            ok = false;
        }

        if (!ok || syntax.Incomplete || events is null || status is null)
            return null;
        return (new StateDefinition(events, status.Value, objects, trigger, index, syntax.Location), multiplier);
    }

    private EventMatcher? BindEvents(SetUseSyntax use)
    {
        if (use.IsAny)
        {
            if (use.Negated)
            {
                _diagnostics.Error(use.Location, "'event not any' matches no record");
                return null;
            }

            return EventMatcher.Any;
        }

        var set = BindSetUse(use, t => t.IsEvent(), "event", "an auditevent or auditclass set");
        if (set is null)
            return null;
        string description = Describe(use, set);
        // One matcher (an 8 KB bitmap) per set and sense, however many states use it: a policy of
        // thousands of sequences over a few event sets held a bitmap per state.
        // Keyed by what the set holds, so that inline sets written alike share one too; a hash of an
        // event set's bitmap finds the candidate, and the bitmap itself decides.
        string content = set.Type == SetType.AuditEvent
            ? $"e{System.IO.Hashing.XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(set.EventBits)):x16}"
            : $"c{set.ClassMask:x8}";
        var key = (content, use.Negated, description);
        if (_eventMatchers.TryGetValue(key, out var shared)
            && (set.Type != SetType.AuditEvent || shared.Source.AsSpan().SequenceEqual(set.EventBits)))
        {
            return shared.Matcher;
        }

        var matcher = EventMatcherOf(set, use.Negated, description);
        _eventMatchers[key] = (matcher, set.Type == SetType.AuditEvent ? set.EventBits.ToArray() : []);
        return matcher;
    }

    private EventMatcher EventMatcherOf(BoundSet set, bool negated, string description)
    {
        if (set.Type == SetType.AuditEvent)
            return EventMatcher.FromBitmap(set.EventBits, negated, description);

        // A class set becomes the events whose classes share a bit with it, resolved now against
        // the event table so that matching is one lookup (the original reread the table per check).
        uint mask = set.ClassMask;
        var inClass = new ulong[EventMatcher.BitmapWords];
        foreach (var auditEvent in _env.Events.Events)
        {
            if ((_env.Events.ClassMask(auditEvent.Number) & mask) != 0)
                EventMatcher.Add(inClass, auditEvent.Number);
        }

        return EventMatcher.FromBitmap(inClass, negated, description);
    }

    private ObjectMatcher? BindObject(SetUseSyntax use)
    {
        if (use.IsAny)
        {
            _diagnostics.Error(use.Location, "object needs a path or pcre set; leave the object out to match any record");
            return null;
        }

        var set = BindSetUse(use, t => t.IsObject(), "object", "a path or pcre set");
        if (set is null)
            return null;
        // One matcher per set as it stands (a later definition may add to it) and sense, however
        // many states use it: a path set of thousands of items is indexed once, not per state.
        string description = Describe(use, set);
        var key = (set, set.Paths.Count, set.Patterns.Count, use.Negated, description);
        if (_objectMatchers.TryGetValue(key, out var shared))
            return shared;
        var paths = set.Type == SetType.Path ? new PathPrefixSet(set.Paths) : null;
        var matcher = new ObjectMatcher(paths, set.Patterns, use.Negated, description, CombinePatterns(set.Patterns));
        _objectMatchers.Add(key, matcher);
        return matcher;
    }

    /// <summary>The set's patterns as one (<see cref="CombinedPattern"/>), or null where they cannot be, or the whole does not compile (too large): then they are asked one by one.</summary>
    private PcrePattern? CombinePatterns(IReadOnlyList<PcrePattern> items)
    {
        if (CombinedPattern.TryJoin([.. items.Select(p => p.Pattern)]) is not { } text)
            return null;
        if (_patterns.TryGetValue(text, out var cached))
            return cached;
        try
        {
            var combined = PcrePattern.Compile(text, _env.PatternLimits);
            _patterns.Add(text, combined);
            return combined;
        }
        catch (PcreCompileException)
        {
            return null;
        }
    }

    private static string Hint(string name, IEnumerable<string> candidates) =>
        NameSuggester.Nearest(name, candidates) is { } near ? $" (did you mean '{near}'?)" : "";
}
