using System.Buffers;
using System.Net.WebSockets;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Server.Connections;

/// <summary>
/// The handshake deadline (docs/protocol.md §4). When it passes, ERROR(HandshakeTimeout) and a close
/// frame are sent while the handshake's receive stays pending: cancelling a WebSocket receive aborts the
/// socket, which would lose the reason. The receive is cancelled only after a grace period for the
/// client's close reply. Sends are serialized because the timer may fire while WELCOME is being sent.
/// </summary>
internal sealed class HandshakeState : IAsyncDisposable
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ITimer _timer;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _hardDeadline;
    private CancellationTokenSource? _linked;
    private volatile bool _timedOut;

    public HandshakeState(WebSocket socket, TimeSpan timeout, TimeProvider timeProvider)
    {
        Socket = socket;
        _timeProvider = timeProvider;
        TimeoutError = new WsRestProtocolException(WsRestErrorCode.HandshakeTimeout, $"The handshake did not complete within {timeout.TotalSeconds:0.###} s.");
        _hardDeadline = new CancellationTokenSource(timeout + CloseGrace, timeProvider);
        _timer = timeProvider.CreateTimer(static state => _ = ((HandshakeState)state!).OnTimeoutAsync(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    public WebSocket Socket { get; }

    public bool TimedOut => _timedOut;

    public WsRestProtocolException TimeoutError { get; }

    public CancellationToken CreateReceiveToken(CancellationToken aborted)
    {
        _linked?.Dispose();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _hardDeadline.Token);
        return _linked.Token;
    }

    public async Task SendAsync(FrameType type, Action<IBufferWriter<byte>> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_timedOut)
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
        await _timer.DisposeAsync().ConfigureAwait(false);
        _linked?.Dispose();
        _hardDeadline.Dispose();
        _sendLock.Dispose();
    }

    private async Task OnTimeoutAsync()
    {
        try
        {
            await _sendLock.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return; // the handshake finished as the timer fired
        }

        try
        {
            _timedOut = true;
            using var cts = new CancellationTokenSource(CloseGrace, _timeProvider);
            await HandshakeChannel.SendRejectionAsync(Socket, TimeoutError, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client is gone; the hard deadline aborts the pending receive.
        }
        finally
        {
            try
            {
                _sendLock.Release();
            }
            catch (ObjectDisposedException)
            {
                // Disposed while we were sending: nothing else waits on the lock.
            }
        }
    }
}
