using System.Runtime.InteropServices;
using System.Text;
using BsmTrace.Unix;

namespace BsmTrace.Policy.Binding;

/// <summary>
/// One policy file read for the binder: opened once, examined on that open descriptor (so that
/// what is judged is what is read, whatever happens to the name meanwhile), then read from it.
/// </summary>
internal sealed record PolicyFile(string Text, string? TrustProblem)
{
    /// <summary>Reads <paramref name="path"/>; null with the reason, in a user's words, when it cannot be read.</summary>
    public static PolicyFile? Read(string path, ServiceAccount? account, out string? why)
    {
        // Non-blocking, so that a FIFO named as a policy is refused, not waited on forever.
        using var handle = NativeFile.TryOpen(path, OpenFlags.ReadOnly | OpenFlags.NonBlocking, out int errno);
        if (handle is null)
        {
            why = errno switch
            {
                NativeFile.NoSuchFile => "no such file",
                NativeFile.PermissionDenied => "permission denied",
                _ => Marshal.GetPInvokeErrorMessage(errno),
            };
            return null;
        }

        if (FileStatus.TryGet(handle, out var status) && !status.IsRegularFile)
        {
            why = status.IsDirectory ? "is a directory, not a policy file" : "is not a regular file";
            return null;
        }

        string? trust = FileTrust.Of(handle, path, account);
        try
        {
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            why = null;
            return new PolicyFile(reader.ReadToEnd(), trust);
        }
        catch (IOException e)
        {
            why = e.Message;
            return null;
        }
    }
}
