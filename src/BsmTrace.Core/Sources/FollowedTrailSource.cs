using BsmTrace.Unix;
using Microsoft.Extensions.Logging;

namespace BsmTrace.Sources;

/// <summary>
/// A trail followed as it grows and across its rotations, by the file's identity rather than its
/// name or size. Two shapes:
/// <list type="bullet">
/// <item>an audit directory (<c>-a /var/audit</c>, or its <c>current</c> link): auditd's trails in
/// the order it made them; a trail is left once <c>current</c> names another one, after it has
/// been read to its end, and the next one by start time is read from its start;</item>
/// <item>any other file (<c>-a /var/log/audit.bsm</c>): left once another file takes its name
/// (newsyslog and logrotate's create), after it has been read to its end, for the new one.</item>
/// </list>
/// A file truncated in place, or rewritten, is read again from its start; when it was copied
/// first (logrotate's copytruncate), what had not been read yet is read from the copy. Read on
/// from a checkpoint, the file it was reading is found by identity under whatever name it has
/// now, read to its end, and every later trail after it; what expired meanwhile is said.
/// </summary>
internal sealed class FollowedTrailSource : AuditSource
{
    private readonly string? _directory; // an audit directory: follow auditd's trails in it
    private readonly string? _link;      // its "current" link
    private SourcePosition? _resume;
    private FileBeingRead? _last;

    public FollowedTrailSource(SourceOptions options, SourcePosition? resume, ILogger logger)
        : base(options, logger)
    {
        _resume = resume is { IsFile: true } ? resume : null;
        string path = options.Path;
        if (Directory.Exists(path))
        {
            _directory = Path.GetFullPath(path);
            _link = Path.Combine(_directory, AuditTrailNames.CurrentLink);
        }
        else if (new FileInfo(path).LinkTarget is not null && Path.GetFileName(path) == AuditTrailNames.CurrentLink)
        {
            _directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            _link = Path.GetFullPath(path);
        }
    }

    private bool IsAuditDirectory => _directory is not null;

    public override async ValueTask<SourceSegment?> NextAsync(CancellationToken stop)
    {
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var next = _last is null ? First() : After(_last);
            if (next is { } plan && Open(plan, stop) is { } segment)
                return segment;

            // Nothing to read yet (no trail at all, a file between a rename and its successor): look again.
            await Task.Delay(Options.Poll, stop).ConfigureAwait(false);
        }
    }

    /// <summary>Where to begin: where a checkpoint left it, else at the start of the file being written.</summary>
    private Plan? First()
    {
        if (_resume is { } resume)
        {
            if (Find(resume.Identity, resume.Path) is { } found)
                return new Plan(found, resume.Offset, "where the last run left it");

            // Gone while bsmtrace was down (auditd's expiry, a rotation that removed it).
            var after = IsAuditDirectory && AuditTrailNames.IsTrail(Path.GetFileName(resume.Path)) ? NextTrailAfter(AuditTrailNames.Start(Path.GetFileName(resume.Path))) : null;
            var from = after ?? Active();
            if (from is null)
                return null; // nothing to read yet; the gap is said when something is
            Logger.LogWarning("Gap: {Path}, read to byte {Offset} when bsmtrace stopped, is gone (expired or removed while it was down); what it held after that is lost. Reading on from {Next}",
                resume.Path, resume.Offset, from);
            _resume = null;
            return new Plan(from, 0, "after the gap");
        }

        return Active() is { } active ? new Plan(active, 0, "from its start") : null;
    }

    /// <summary>What to read once <paramref name="last"/> has ended.</summary>
    private Plan? After(FileBeingRead last)
    {
        long readTo = last.Segment.ReadTo;
        if (last.Stream.Ended == FileEnd.Truncated)
        {
            // Truncated or rewritten in place: what had not been read may be in a copy (copytruncate).
            if (last.CopyOf is null && CopyOf(last, readTo) is { } copy)
            {
                Logger.LogWarning("{Path} was truncated at byte {Offset}; reading what it held after that from its copy {Copy}, then it again from its start", last.Path, readTo, copy);
                return new Plan(copy, readTo, "the rest, from the copy made before the truncation") { CopyOf = last.Path };
            }

            Logger.LogWarning("{Path} was truncated or rewritten in place at byte {Offset}; reading it again from its start", last.Path, readTo);
            return new Plan(last.Path, 0, "again from its start");
        }

        if (last.CopyOf is { } original)
            return new Plan(original, 0, "from its start, after the truncation");

        if (IsAuditDirectory)
            return NextTrailAfter(last.Start) is { } next ? new Plan(next, 0, "the next trail, from its start") : null;

        // Another file has the name now: it is read from its start.
        return File.Exists(Options.Path) && !last.Identity.IsAt(Options.Path) ? new Plan(Options.Path, 0, "the new file, from its start") : null;
    }

    private SourceSegment? Open(Plan plan, CancellationToken stop)
    {
        FileStream file;
        try
        {
            file = new FileStream(plan.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return null; // gone between looking and opening: look again
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{plan.Path}: permission denied");
        }

        try
        {
            var identity = TrailIdentity.Of(file.SafeFileHandle);
            long offset = Math.Min(plan.Offset, file.Length);
            file.Position = offset;
            string start = IsAuditDirectory && AuditTrailNames.IsTrail(Path.GetFileName(plan.Path)) ? AuditTrailNames.Start(Path.GetFileName(plan.Path)) : "";
            var stream = new GrowingFileStream(file, identity, () => RotatedAway(identity, plan), Options.Poll, stop);
            var segment = new SourceSegment(stream, new SourcePosition(identity, plan.Path, offset, 0, IsFile: true), readToEnd: false);
            if (_last is not null || offset > 0)
                Logger.LogInformation("Following {Source}: reading {Path} {How}", Options.Path, plan.Path, offset > 0 ? $"on from byte {offset}, {plan.Why}" : plan.Why);
            _last = new FileBeingRead(plan.Path, start, identity, stream, segment) { CopyOf = plan.CopyOf };
            return segment;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Whether the file of a segment is done with: another file is being written now (a copy, read only to its end, always is).</summary>
    private bool RotatedAway(TrailIdentity identity, Plan plan)
    {
        if (plan.CopyOf is not null)
            return true;
        if (IsAuditDirectory)
            return Active() is not { } active || !identity.IsAt(active) || NextTrailAfter(StartOf(plan.Path)) is not null;
        return File.Exists(Options.Path) && !identity.IsAt(Options.Path);
    }

    private static string StartOf(string path) =>
        AuditTrailNames.IsTrail(Path.GetFileName(path)) ? AuditTrailNames.Start(Path.GetFileName(path)) : "";

    /// <summary>The file auditd writes now: the one "current" names, else the newest trail not yet closed.</summary>
    private string? Active()
    {
        if (!IsAuditDirectory)
            return File.Exists(Options.Path) ? Options.Path : null;
        if (File.Exists(_link) && new FileInfo(_link!).ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } target)
            return target.FullName;
        return AuditTrailNames.In(_directory!).LastOrDefault(t => AuditTrailNames.IsOpen(Path.GetFileName(t)))
            ?? AuditTrailNames.In(_directory!).LastOrDefault();
    }

    /// <summary>The first trail auditd started after <paramref name="start"/>.</summary>
    private string? NextTrailAfter(string start) =>
        start.Length == 0 ? null : AuditTrailNames.In(_directory!).FirstOrDefault(t => string.CompareOrdinal(AuditTrailNames.Start(Path.GetFileName(t)), start) > 0);

    /// <summary>The file that is <paramref name="identity"/>, under the name it had or any it has now in its directory.</summary>
    private string? Find(TrailIdentity identity, string path)
    {
        if (identity.IsAt(path))
            return path;
        string? directory = _directory ?? Path.GetDirectoryName(Path.GetFullPath(Options.Path));
        if (directory is null || !Directory.Exists(directory))
            return null;
        return Directory.EnumerateFiles(directory).FirstOrDefault(identity.IsAt);
    }

    /// <summary>A copy of the truncated file's former contents beside it (its first bytes, and more of them than were read).</summary>
    private static string? CopyOf(FileBeingRead truncated, long readTo)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(truncated.Path));
        if (directory is null)
            return null;
        var fingerprint = truncated.Identity;
        foreach (var candidate in Directory.EnumerateFiles(directory))
        {
            if (candidate == Path.GetFullPath(truncated.Path) || !FileStatus.TryGet(candidate, followLinks: false, out var status)
                || !status.IsRegularFile || status.Size <= readTo)
            {
                continue;
            }

            // The same first bytes on another inode: the copy.
            if ((fingerprint with { Device = status.Device, Inode = status.Inode }).IsAt(candidate))
                return candidate;
        }

        return null;
    }

    /// <summary>What to read next and why (for the log).</summary>
    private sealed record Plan(string Path, long Offset, string Why)
    {
        /// <summary>For a copy read in place of a truncated file: that file, read again once the copy is done.</summary>
        public string? CopyOf { get; init; }
    }

    /// <summary>A file being read: its name, its start stamp (a trail's), its identity, its stream and segment.</summary>
    private sealed record FileBeingRead(string Path, string Start, TrailIdentity Identity, GrowingFileStream Stream, SourceSegment Segment)
    {
        public string? CopyOf { get; init; }
    }
}
