using System.Threading.Channels;

namespace WsRest.Redis.Reverse;

/// <summary>
/// The receiving side of a call's body, read as a <see cref="Stream"/>: chunks arrive numbered from 0
/// and are kept until read (at most the sender's window, since the sender waits for credit); every
/// <c>window / 2</c> chunks read, a credit goes back. A missing or surplus chunk fails the body
/// instead of corrupting it. Disposing before the end tells the sender to stop.
/// </summary>
internal sealed class ChunkReceiver : Stream
{
    private readonly Channel<ReadOnlyMemory<byte>> _chunks;
    private readonly int _creditEvery;
    private readonly Func<long, Task> _sendCredit;
    private readonly Action<bool> _onClosed;
    private long _expected;
    private long _consumed;
    private long _credited;
    private ReadOnlyMemory<byte> _current;
    private Exception? _failure;
    private int _closed;

    /// <param name="window">The sender's window, in chunks.</param>
    /// <param name="sendCredit">Reports the chunks consumed in all to the sender.</param>
    /// <param name="onClosed">Called once: true when the whole body was read, false when the reader stopped early or the body failed.</param>
    public ChunkReceiver(int window, Func<long, Task> sendCredit, Action<bool> onClosed)
    {
        _chunks = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(window) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _creditEvery = Math.Max(1, window / 2);
        _sendCredit = sendCredit;
        _onClosed = onClosed;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Chunk number <paramref name="number"/> arrived (only the router's message loop calls this).</summary>
    public void OnChunk(long number, ReadOnlyMemory<byte> data)
    {
        if (number != _expected)
        {
            Fail(new IOException($"A body chunk of the cross-node call was lost in Redis (expected chunk {_expected}, got {number})."));
            return;
        }

        _expected++;
        if (!_chunks.Writer.TryWrite(data))
        {
            Fail(new IOException("The sender of a cross-node call sent more body chunks than its window allows."));
        }
    }

    /// <summary>The body ended after <paramref name="count"/> chunks.</summary>
    public void OnEnd(long count)
    {
        if (count != _expected)
        {
            Fail(new IOException($"Body chunks of the cross-node call were lost in Redis ({count} sent, {_expected} received)."));
            return;
        }

        _chunks.Writer.TryComplete();
    }

    public void Fail(Exception failure)
    {
        Interlocked.CompareExchange(ref _failure, failure, null);
        _chunks.Writer.TryComplete();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current.IsEmpty)
        {
            if (_chunks.Reader.TryRead(out var next))
            {
                _current = next;
                await ConsumedAsync().ConfigureAwait(false);
                continue;
            }

            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Volatile.Read(ref _failure) is { } failure)
                {
                    Close(complete: false);
                    throw failure as IOException ?? new IOException(failure.Message, failure);
                }

                Close(complete: true);
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
        => throw new NotSupportedException("Read a cross-node body asynchronously (ReadAsync): a synchronous read would block a thread on Redis.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Close(complete: false);
        base.Dispose(disposing);
    }

    private async Task ConsumedAsync()
    {
        _consumed++;
        if (_consumed - _credited >= _creditEvery)
        {
            _credited = _consumed;
            try
            {
                await _sendCredit(_consumed).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                // The sender cannot be reached (its node stopped listening): the body cannot go on, and a
                // body read fails with IOException, as a lost connection does for a local call.
                var failure = new IOException(ex.Message, ex);
                Fail(failure);
                throw failure;
            }
        }
    }

    private void Close(bool complete)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _onClosed(complete);
        }
    }
}
