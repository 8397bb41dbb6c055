using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace BsmTrace.Tests.Support;

/// <summary>
/// A syslog daemon's local socket, as syslogd binds /dev/log or /var/run/log: a Unix datagram
/// socket at a path, each datagram one message, read by a loop of its own.
/// </summary>
public sealed class SyslogReceiver : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;

    public SyslogReceiver(string path, Func<Task>? beforeEachReceive = null)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _receiving = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            while (!_stop.IsCancellationRequested)
            {
                if (beforeEachReceive is not null)
                    await beforeEachReceive();
                int n;
                try
                {
                    n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _messages.Enqueue(Encoding.UTF8.GetString(buffer, 0, n));
            }
        });
    }

    public string Path { get; }

    public IReadOnlyCollection<string> Messages => _messages;

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _receiving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Cancelled.
        }

        _socket.Dispose();
        _stop.Dispose();
        File.Delete(Path);
    }
}
