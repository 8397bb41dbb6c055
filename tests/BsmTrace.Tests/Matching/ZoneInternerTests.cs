using System.Text;
using BsmTrace.Matching;

namespace BsmTrace.Tests.Matching;

public sealed class ZoneInternerTests
{
    [Fact]
    public void A_name_keeps_its_id_whatever_is_asked_between()
    {
        var zones = new ZoneInterner();
        int web = zones.Intern("web"u8);
        int db = zones.Intern("db"u8);
        Assert.NotEqual(web, db);
        Assert.True(web > 1 && db > 1, "0 is no zone and 1 the overflow");

        foreach (var name in new[] { "web", "web", "db", "web", "db", "db" })
            Assert.Equal(name == "web" ? web : db, zones.Intern(Encoding.UTF8.GetBytes(name)));
        Assert.Equal("web", zones.Name(web));
        Assert.Equal("db", zones.Name(db));
    }

    [Fact]
    public void Past_the_cap_new_names_share_the_overflow_id_and_known_ones_keep_theirs()
    {
        var zones = new ZoneInterner();
        int first = zones.Intern("jail0"u8);
        for (int i = 1; i < ZoneInterner.MaxZones; i++)
            zones.Intern(Encoding.UTF8.GetBytes($"jail{i}"));

        Assert.Equal(1, zones.Intern("one-too-many"u8));
        Assert.Equal(1, zones.Intern("another"u8));
        Assert.Equal(first, zones.Intern("jail0"u8));
    }
}
