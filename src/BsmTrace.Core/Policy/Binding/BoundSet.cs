using BsmTrace.Policy.Diagnostics;
using BsmTrace.Policy.Pcre;

namespace BsmTrace.Policy.Binding;

/// <summary>A set with its items resolved: ids, event numbers, a class mask, paths, patterns or channels, by its type.</summary>
internal sealed class BoundSet(string name, SetType type, SourceLocation location)
{
    public string Name { get; } = name;

    public SetType Type { get; } = type;

    public SourceLocation Location { get; } = location;

    /// <summary>Whether anything refers to the set (for the unused-set warning).</summary>
    public bool Used { get; set; }

    public SortedSet<uint> Ids { get; } = [];

    public SortedSet<ushort> Events { get; } = [];

    public uint ClassMask { get; set; }

    public SortedSet<string> ClassNames { get; } = new(StringComparer.Ordinal);

    public List<string> Paths { get; } = [];

    public List<PcrePattern> Patterns { get; } = [];

    public List<LogChannelDefinition> Channels { get; } = [];

    public void MergeFrom(BoundSet other)
    {
        Ids.UnionWith(other.Ids);
        Events.UnionWith(other.Events);
        ClassMask |= other.ClassMask;
        ClassNames.UnionWith(other.ClassNames);
        Paths.AddRange(other.Paths);
        Patterns.AddRange(other.Patterns);
        Channels.AddRange(other.Channels);
    }

    /// <summary>The resolved content as canonical text, so a fingerprint changes exactly when the meaning does.</summary>
    public string Content => Type switch
    {
        _ when Type.IsSubject() => string.Join(',', Ids),
        SetType.AuditEvent => string.Join(',', Events),
        SetType.AuditClass => $"0x{ClassMask:x8}",
        SetType.Path => string.Join(',', Paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
        SetType.Pcre => string.Join('\u0001', Patterns.Select(p => p.Pattern)),
        _ => string.Join(',', Channels.Select(c => c.Name)),
    };
}
