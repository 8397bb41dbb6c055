using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary>One item of a set: a name, number, path or pattern; or <c>set $OTHER</c>, which merges another set.</summary>
public sealed record SetItemSyntax(SourceLocation Location, string Text, bool IsQuoted, bool IsSetReference);

/// <summary>The type and items of a set: <c>&lt;TYPE&gt; { ITEM, ... }</c>.</summary>
public sealed record SetBodySyntax(SourceLocation Location, string TypeName, SourceLocation TypeLocation, IReadOnlyList<SetItemSyntax> Items);

/// <summary>
/// Where a subject, event or object names its set: <c>[not] $NAME</c>,
/// <c>[not] &lt;TYPE&gt; { … }</c> (an anonymous set), or <c>any</c>.
/// </summary>
public sealed record SetUseSyntax(SourceLocation Location, bool Negated, bool IsAny, string? Reference, SetBodySyntax? Inline);
