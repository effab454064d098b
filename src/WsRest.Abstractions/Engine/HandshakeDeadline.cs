using System.Buffers;
using System.Net.WebSockets;
using WsRest.Protocol;

namespace WsRest.Engine;

/// <summary>
/// The accepting side's handshake deadline (docs/protocol.md §4). When it passes, ERROR(HandshakeTimeout) and a close
/// frame are sent while the handshake's receive stays pending: cancelling a WebSocket receive aborts the
/// socket, which would lose the reason. The receive is cancelled only after a grace period for the
/// client's close reply. Sends are serialized because the timer may fire while WELCOME is being sent.
/// </summary>
internal sealed class HandshakeDeadline : IAsyncDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ITimer _timer;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _hardDeadline;
    private const int Pending = 0;
    private const int Completed = 1;
    private const int Expired = 2;

    private CancellationTokenRegistration _aborted;
    private bool _abortedRegistered;
    private Task? _rejection;
    private int _state;

    public HandshakeDeadline(WebSocket socket, TimeSpan timeout, TimeProvider timeProvider)
    {
        Socket = socket;
        _timeProvider = timeProvider;
        TimeoutError = new WsRestProtocolException(WsRestErrorCode.HandshakeTimeout, $"The handshake did not complete within {timeout.TotalSeconds:0.###} s.");
        // Armed only once the rejection has been sent (or failed): a deadline counted from the start
        // could pass before a late timer callback on a busy machine sent the reason, and aborting the
        // receive then would close the socket with no reason at all.
        _hardDeadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _timer = timeProvider.CreateTimer(static state =>
        {
            var self = (HandshakeDeadline)state!;
            self._rejection = self.OnTimeoutAsync();
        }, this, timeout, Timeout.InfiniteTimeSpan);
    }

    public WebSocket Socket { get; }

    public bool TimedOut => Volatile.Read(ref _state) == Expired;

    /// <summary>
    /// Marks the handshake done. False if the deadline won the race: the timer has sent (or is sending)
    /// the rejection, and the connection must not start. One compare-and-swap decides, so the timer never
    /// writes to a socket whose peer engine has started.
    /// </summary>
    public bool TryComplete() => Interlocked.CompareExchange(ref _state, Completed, Pending) == Pending;

    public WsRestProtocolException TimeoutError { get; }

    /// <summary>
    /// The token the handshake's receives run on: cancelled by the hard deadline or by <paramref name="aborted"/>.
    /// One source for every receive, with one registration on <paramref name="aborted"/>, instead of a
    /// linked source per receive (two registrations each): a connection storm makes tens of thousands.
    /// </summary>
    public CancellationToken CreateReceiveToken(CancellationToken aborted)
    {
        if (!_abortedRegistered && aborted.CanBeCanceled)
        {
            _abortedRegistered = true;
            _aborted = aborted.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _hardDeadline);
        }

        return _hardDeadline.Token;
    }

    public async Task SendAsync(FrameType type, Action<IBufferWriter<byte>> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _state) != Pending)
            {
                throw TimeoutError;
            }

            await HandshakeChannel.SendAsync(Socket, type, payload, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Timer.DisposeAsync waits for a running callback, so _rejection is settled afterwards; the
        // rejection is awaited before the socket and the lock go away under it.
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (_rejection is { } rejection)
        {
            await rejection.ConfigureAwait(false);
        }

        // Waits for a callback in progress, so the source is not cancelled after it is disposed.
        await _aborted.DisposeAsync().ConfigureAwait(false);
        _hardDeadline.Dispose();
        _sendLock.Dispose();
    }

    private async Task OnTimeoutAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Expired, Pending) != Pending)
        {
            return; // the handshake completed first
        }

        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(CloseGrace, _timeProvider);
            await HandshakeChannel.SendRejectionAsync(Socket, TimeoutError, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client is gone; the hard deadline aborts the pending receive.
        }
        finally
        {
            _sendLock.Release();
            _hardDeadline.CancelAfter(CloseGrace);
        }
    }
}
