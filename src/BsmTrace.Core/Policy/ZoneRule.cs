using BsmTrace.Unix;

namespace BsmTrace.Policy;

/// <summary>A sequence's zone option: which records it considers by their zonename (a FreeBSD jail or Solaris zone).</summary>
public sealed class ZoneRule
{
    private readonly Fnmatch? _glob;

    private ZoneRule(ZoneRuleKind kind, Fnmatch? glob)
    {
        Kind = kind;
        _glob = glob;
    }

    public static ZoneRule Unrestricted { get; } = new(ZoneRuleKind.Unrestricted, null);

    public static ZoneRule None { get; } = new(ZoneRuleKind.None, null);

    public static ZoneRule Any { get; } = new(ZoneRuleKind.Any, null);

    public static ZoneRule Glob(string pattern) => new(ZoneRuleKind.Glob, new Fnmatch(pattern));

    public ZoneRuleKind Kind { get; }

    public string? Pattern => _glob?.Pattern;

    /// <summary>Whether instances are bound to (keyed by) the zone that started them.</summary>
    public bool BindsZone => Kind is ZoneRuleKind.Any or ZoneRuleKind.Glob;

    public bool Matches(bool hasZone, ReadOnlySpan<byte> zone) => Kind switch
    {
        ZoneRuleKind.Unrestricted => true,
        ZoneRuleKind.None => !hasZone,
        ZoneRuleKind.Any => hasZone,
        _ => hasZone && _glob!.IsMatch(zone),
    };

    public override string ToString() => Kind switch
    {
        ZoneRuleKind.Glob => $"zone \"{Pattern}\"",
        ZoneRuleKind.Unrestricted => "",
        _ => $"zone {Kind.ToString().ToLowerInvariant()}",
    };
}
