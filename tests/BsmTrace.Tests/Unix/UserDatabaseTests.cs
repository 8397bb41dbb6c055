using BsmTrace.Unix;

namespace BsmTrace.Tests.Unix;

/// <summary>The system's user database, through getpwnam/getgrnam, as NSS sees it.</summary>
public sealed class UserDatabaseTests
{
    private readonly UserDatabase _users = new();

    [Fact]
    public void Root_is_uid_0_both_ways()
    {
        Assert.Equal("root", _users.UserName(0));
        Assert.True(_users.TryGetUserId("root", out uint uid));
        Assert.Equal(0u, uid);
    }

    [Fact]
    public void Group_0_has_a_name_that_maps_back_to_0()
    {
        var name = _users.GroupName(0);
        Assert.False(string.IsNullOrEmpty(name));
        Assert.True(_users.TryGetGroupId(name, out uint gid));
        Assert.Equal(0u, gid);
    }

    [Fact]
    public void Unknown_names_and_ids_are_reported_as_unknown()
    {
        Assert.False(_users.TryGetUserId("no-such-user-bsmtrace", out _));
        Assert.False(_users.TryGetGroupId("no-such-group-bsmtrace", out _));
        Assert.Null(_users.UserName(3_999_999_999));
    }
}
