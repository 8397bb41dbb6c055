using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace BsmTrace.Unix;

/// <summary>
/// Messages to the syslog daemon through its local datagram socket, in the form the C library's
/// syslog(3) sends (&lt;PRI&gt;Mmm dd hh:mm:ss bsmtrace[PID]: message). Written here rather than
/// through syslog(3), which drops a message without a word when the daemon is not there: this
/// says so (an <see cref="IOException"/> naming the socket), and connects again at the next
/// message, so that a daemon that restarts or comes back is used at once.
/// </summary>
public sealed class SyslogConnection(string path) : IDisposable
{
    private readonly string _ident = $"bsmtrace[{Environment.ProcessId}]: ";
    private Socket? _socket;

    public string Path => path;

    /// <summary>Sends one message; waits while the daemon's queue is full.</summary>
    public void Send(int priority, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var bytes = Format(priority, message, DateTime.Now);
        try
        {
            SendOnce(bytes);
        }
        catch (SocketException)
        {
            // The daemon may have restarted behind the connected socket: one more try, on a new one.
            Disconnect();
            try
            {
                SendOnce(bytes);
            }
            catch (SocketException e)
            {
                Disconnect();
                throw new IOException($"syslog socket {path}: {Describe(e)}", e);
            }
        }
    }

    private void SendOnce(byte[] bytes)
    {
        _socket ??= Connect();
        _socket.Send(bytes);
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private byte[] Format(int priority, string message, DateTime now)
    {
        // "%h %e %T": the month's abbreviation, the day padded with a space, the time.
        string header = string.Create(CultureInfo.InvariantCulture, $"<{priority}>{now:MMM} {now.Day,2} {now:HH:mm:ss} ");
        return Encoding.UTF8.GetBytes(header + _ident + message);
    }

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressNotAvailable or SocketError.ConnectionRefused => "no syslog daemon listens there",
        _ => e.Message,
    };

    private void Disconnect()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public void Dispose() => Disconnect();
}
