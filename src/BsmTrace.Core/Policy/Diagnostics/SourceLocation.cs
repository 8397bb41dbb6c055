namespace BsmTrace.Policy.Diagnostics;

/// <summary>A place in a policy file: its path as the user gave it (or as an include resolved it), line and column from 1.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>FILE:LINE:COLUMN, or just FILE for findings about a whole file (line 0).</summary>
    public override string ToString() => Line == 0 ? File : $"{File}:{Line}:{Column}";
}
