using System.Text;
using BsmTrace.Matching;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BsmTrace.Tests.Matching;

public sealed class ObjectPathMemoryTests
{
    // A step: remember (with a path) or recall a file drawn from few, so that hits, updates and evictions are common.
    private static Gen<(bool Remember, uint FileSystem, ulong Inode, string Path)> Steps =>
        from remember in Gen.Elements(true, false)
        from fileSystem in Gen.Choose(1, 2)
        from inode in Gen.Choose(1, 6)
        from path in Gen.Elements("/etc/passwd", "/tmp/x", "/var/log/auth.log")
        select (remember, (uint)fileSystem, (ulong)inode, path);

    [Property(MaxTest = 500)]
    public Property It_recalls_what_a_least_recently_used_list_of_its_capacity_would() =>
        Prop.ForAll(Gen.Choose(1, 5).ToArbitrary(), Steps.ArrayOf().ToArbitrary(), (capacity, steps) =>
        {
            var memory = new ObjectPathMemory(capacity);
            var model = new List<((uint, ulong) Key, string Path)>(); // most recently used first
            long evictions = 0;
            foreach (var (remember, fileSystem, inode, path) in steps)
            {
                var key = (fileSystem, inode);
                int at = model.FindIndex(e => e.Key == key);
                if (remember)
                {
                    memory.Remember(fileSystem, inode, Encoding.UTF8.GetBytes(path));
                    if (at >= 0)
                    {
                        model.RemoveAt(at);
                    }
                    else if (model.Count == capacity)
                    {
                        model.RemoveAt(model.Count - 1);
                        evictions++;
                    }

                    model.Insert(0, (key, path));
                }
                else
                {
                    var recalled = memory.Recall(fileSystem, inode);
                    string? expected = at >= 0 ? model[at].Path : null;
                    if ((recalled is null ? null : Encoding.UTF8.GetString(recalled)) != expected)
                        return false;
                    if (at >= 0)
                    {
                        var entry = model[at];
                        model.RemoveAt(at);
                        model.Insert(0, entry);
                    }
                }
            }

            return memory.Count == model.Count && memory.Evictions == evictions;
        });

    [Fact]
    public void The_latest_path_of_an_inode_wins()
    {
        var memory = new ObjectPathMemory(4);
        memory.Remember(1, 10, "/tmp/a"u8);
        memory.Remember(1, 10, "/tmp/b"u8);

        Assert.Equal("/tmp/b"u8.ToArray(), memory.Recall(1, 10));
        Assert.Null(memory.Recall(2, 10));
        Assert.Equal(1, memory.Count);
    }

    [Fact]
    public void Past_its_capacity_it_forgets_the_file_used_longest_ago()
    {
        var memory = new ObjectPathMemory(2);
        memory.Remember(1, 1, "/one"u8);
        memory.Remember(1, 2, "/two"u8);
        Assert.NotNull(memory.Recall(1, 1)); // now the second file is the least recently used
        memory.Remember(1, 3, "/three"u8);

        Assert.Null(memory.Recall(1, 2));
        Assert.Equal("/one"u8.ToArray(), memory.Recall(1, 1));
        Assert.Equal("/three"u8.ToArray(), memory.Recall(1, 3));
        Assert.Equal(1, memory.Evictions);
    }
}
