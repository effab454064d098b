namespace WsRest.Redis.Reverse;

/// <summary>What the router needs of a call on either side: who the peer is, when it was last heard, and how to end it.</summary>
internal abstract class CallBase(CallRouter router, Guid id, string peerNode)
{
    private long _lastHeard = Environment.TickCount64;

    public Guid Id { get; } = id;

    public string PeerNode { get; } = peerNode;

    protected CallRouter Router { get; } = router;

    /// <summary>Milliseconds since the peer last sent anything for this call.</summary>
    public long SilentFor => Environment.TickCount64 - Volatile.Read(ref _lastHeard);

    /// <summary>True while this side's body sender waits for the peer's credit.</summary>
    public abstract bool WaitingForCredit { get; }

    /// <summary>A message of this call arrived (the router's message loop calls this, one message at a time).</summary>
    public void Receive(CallMessage message)
    {
        Volatile.Write(ref _lastHeard, Environment.TickCount64);
        OnMessage(message);
    }

    /// <summary>Ends the call with <paramref name="failure"/>: the peer went silent, or a message could not be sent.</summary>
    public abstract void Fail(Exception failure);

    protected abstract void OnMessage(CallMessage message);

    /// <summary>Sends a message with no payload but its number (credit, end, cancel, keep-alive).</summary>
    public Task SendAsync(CallMessageKind kind, long number) => Router.SendAsync(PeerNode, kind, Id, number, ReadOnlyMemory<byte>.Empty);

    /// <summary>Sends the body in <paramref name="source"/> as numbered chunks within the credit window, then the end; returns when all are in Redis.</summary>
    protected async Task SendBodyAsync(Stream source, CallMessageKind data, CallMessageKind end, CreditWindow window, CancellationToken cancellationToken)
    {
        var chunkSize = Router.ChunkSize;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CallMessage.HeaderLength + chunkSize);
        long sent = 0;
        try
        {
            while (true)
            {
                var read = await source.ReadAsync(buffer.AsMemory(CallMessage.HeaderLength, chunkSize), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                await window.WaitForRoomAsync(sent, cancellationToken).ConfigureAwait(false);
                CallMessage.WriteHeader(buffer, data, Id, sent);
                await Router.PublishAsync(PeerNode, buffer.AsMemory(0, CallMessage.HeaderLength + read)).ConfigureAwait(false);
                sent++;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        await SendAsync(end, sent).ConfigureAwait(false);
    }
}
