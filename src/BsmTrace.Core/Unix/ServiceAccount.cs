namespace BsmTrace.Unix;

/// <summary>
/// The user a service started as root becomes once it has opened what needs root (<c>--user</c>):
/// its name, id and primary group, from the system's user database (getpwnam_r, so NSS answers).
/// Files and directories it owns are as trusted as root's, and the directories bsmtrace writes in
/// after the change must be its.
/// </summary>
public sealed record ServiceAccount(string Name, uint Uid, uint Gid)
{
    /// <summary>The account named <paramref name="name"/>, or null when the system has none.</summary>
    public static ServiceAccount? Find(string name) =>
        UserDatabase.TryGetAccount(name, out uint uid, out uint gid) ? new ServiceAccount(name, uid, gid) : null;

    /// <summary>Whether a file of <paramref name="owner"/> is as trusted as root's: root's own, the running user's, or this account's.</summary>
    public static bool IsTrustedOwner(uint owner, ServiceAccount? account) =>
        owner == 0 || owner == FileKind.EffectiveUserId || (account is not null && owner == account.Uid);
}
