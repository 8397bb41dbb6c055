namespace BsmTrace.Matching;

/// <summary>
/// Equality for the matcher's struct keys (<see cref="InstanceKey"/>, the inode memory's file
/// key) through their own <see cref="IEquatable{T}"/>. The runtime's default comparer for a
/// struct, and the one the compiler generates for a record struct, go through generic code that
/// precompiled code cannot inline: until the JIT recompiled the matcher (a run shorter than a
/// second may end first) every look-up called unoptimised code. This generic is the project's
/// own and so is precompiled for each key type.
/// </summary>
internal sealed class KeyComparer<T> : IEqualityComparer<T>
    where T : struct, IEquatable<T>
{
    public static KeyComparer<T> Instance { get; } = new();

    public bool Equals(T x, T y) => x.Equals(y);

    public int GetHashCode(T key) => key.GetHashCode();
}
