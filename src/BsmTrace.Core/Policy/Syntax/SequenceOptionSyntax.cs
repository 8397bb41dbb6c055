using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary>An option of a sequence, before resolution.</summary>
public abstract record SequenceOptionSyntax(SourceLocation Location, string Keyword);

/// <summary>A number with a unit: <c>15 minutes</c>.</summary>
public sealed record DurationSyntax(SourceLocation Location, long Amount, string Unit, SourceLocation UnitLocation);

public sealed record SubjectOptionSyntax(SourceLocation Location, SetUseSyntax Set) : SequenceOptionSyntax(Location, "subject");

/// <summary><c>timeout N UNIT;</c> or <c>timeout none;</c> (Duration null).</summary>
public sealed record TimeoutOptionSyntax(SourceLocation Location, DurationSyntax? Duration) : SequenceOptionSyntax(Location, "timeout");

public sealed record TimeoutWindowOptionSyntax(SourceLocation Location, DurationSyntax Duration) : SequenceOptionSyntax(Location, "timeout-window");

/// <summary>An option whose value is one number: <c>priority</c>, <c>serial</c>, <c>timeout-prob</c>.</summary>
public sealed record NumberOptionSyntax(SourceLocation Location, string Keyword, long Value, SourceLocation ValueLocation) : SequenceOptionSyntax(Location, Keyword);

/// <summary>An option whose value is one word or string: <c>scope</c>, <c>zone</c>.</summary>
public sealed record WordOptionSyntax(SourceLocation Location, string Keyword, string Value, bool IsQuoted, SourceLocation ValueLocation) : SequenceOptionSyntax(Location, Keyword);

/// <summary><c>log $CHANNEL[, $CHANNEL…];</c></summary>
public sealed record LogOptionSyntax(SourceLocation Location, IReadOnlyList<(string Name, SourceLocation Location)> Channels) : SequenceOptionSyntax(Location, "log");
