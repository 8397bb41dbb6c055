using BsmTrace.Policy.Diagnostics;

namespace BsmTrace.Policy.Syntax;

/// <summary>A statement at the top level of a policy file.</summary>
public abstract record TopLevelSyntax(SourceLocation Location);

/// <summary><c>define set $NAME &lt;TYPE&gt; { ITEM, ... };</c></summary>
public sealed record DefineSetSyntax(SourceLocation Location, string Name, SetBodySyntax Body) : TopLevelSyntax(Location);

/// <summary><c>include "FILE";</c></summary>
public sealed record IncludeSyntax(SourceLocation Location, string Path) : TopLevelSyntax(Location);

/// <summary><c>logfile "NAME";</c></summary>
public sealed record LogFileSyntax(SourceLocation Location, string Name) : TopLevelSyntax(Location);

/// <summary>One <c>OPTION VALUE</c> pair of a log channel.</summary>
public sealed record ChannelOptionSyntax(SourceLocation Location, string Name, string Value);

/// <summary><c>log-channel $NAME TYPE { OPTION VALUE, ...; };</c></summary>
public sealed record LogChannelSyntax(SourceLocation Location, string Name, string TypeName, SourceLocation TypeLocation, IReadOnlyList<ChannelOptionSyntax> Options) : TopLevelSyntax(Location);

/// <summary><c>sequence NAME { OPTION... STATE... };</c>; Incomplete when a syntax error cut something out of it.</summary>
public sealed record SequenceSyntax(SourceLocation Location, string Name, IReadOnlyList<SequenceOptionSyntax> Options, IReadOnlyList<StateSyntax> States, bool Incomplete) : TopLevelSyntax(Location);

/// <summary>A whole policy file as written, before names are resolved.</summary>
public sealed record PolicyFileSyntax(string File, IReadOnlyList<TopLevelSyntax> Items);
