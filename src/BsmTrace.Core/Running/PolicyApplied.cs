using BsmTrace.Policy;

namespace BsmTrace.Running;

/// <summary>A policy replaced the running one, between batches: how many live instances it kept (their sequences did not change) and how many ended.</summary>
public sealed record PolicyApplied(CompiledPolicy Policy, int Kept, int Dropped);
