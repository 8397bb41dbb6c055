namespace BsmTrace.Tests.Support;

/// <summary>What a process has open, from Linux's /proc.</summary>
public static class OpenFiles
{
    /// <summary>How many of the process's descriptors are open on <paramref name="path"/>.</summary>
    public static int Count(int pid, string path) =>
        new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Count(fd =>
        {
            try
            {
                return fd.LinkTarget == path;
            }
            catch (IOException)
            {
                return false; // closed while we looked
            }
        });
}
