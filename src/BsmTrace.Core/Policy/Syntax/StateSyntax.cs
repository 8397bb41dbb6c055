using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary><c>state { event …; status …; [object …;] [multiplier N;] [trigger "…";] };</c></summary>
/// <param name="Incomplete">Whether a syntax error cut an option out: "missing option" findings would then only echo it.</param>
public sealed record StateSyntax(SourceLocation Location, IReadOnlyList<StateOptionSyntax> Options, bool Incomplete);

/// <summary>An option of a state, before resolution.</summary>
public abstract record StateOptionSyntax(SourceLocation Location, string Keyword);

public sealed record EventOptionSyntax(SourceLocation Location, SetUseSyntax Set) : StateOptionSyntax(Location, "event");

public sealed record ObjectOptionSyntax(SourceLocation Location, SetUseSyntax Set) : StateOptionSyntax(Location, "object");

/// <summary><c>status success|failure|any;</c></summary>
public sealed record StatusOptionSyntax(SourceLocation Location, string Value, SourceLocation ValueLocation) : StateOptionSyntax(Location, "status");

/// <summary><c>multiplier N;</c>; the value is kept as written so that the binder can say what is wrong with it.</summary>
public sealed record MultiplierOptionSyntax(SourceLocation Location, string Value, SourceLocation ValueLocation) : StateOptionSyntax(Location, "multiplier");

public sealed record TriggerOptionSyntax(SourceLocation Location, string Command, SourceLocation CommandLocation) : StateOptionSyntax(Location, "trigger");
