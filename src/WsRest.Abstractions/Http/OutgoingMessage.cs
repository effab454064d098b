using System.Buffers;
using System.Net.Http;
using WsRest.Engine;

namespace WsRest.Http;

/// <summary>The encoded head and the inline body of a message (request or response) not yet sent; owns their pooled buffers.</summary>
internal sealed class OutgoingMessage : IDisposable
{
    private PooledBufferWriter? _head = new(256);
    private byte[]? _inline;
    private int _inlineLength;

    public PooledBufferWriter Head => _head ?? throw new InvalidOperationException("The head was already handed over.");

    public ReadOnlyMemory<byte> InlineBody => _inline is null ? ReadOnlyMemory<byte>.Empty : _inline.AsMemory(0, _inlineLength);

    public bool EndStream { get; set; }

    /// <summary>A copy of the head for one send attempt (the sender takes ownership and may append the body).</summary>
    public PooledBufferWriter CloneHead()
    {
        var copy = new PooledBufferWriter(Head.WrittenCount + 64);
        copy.Write(Head.WrittenSpan);
        return copy;
    }

    public PooledBufferWriter TakeHead()
    {
        var head = Head;
        _head = null;
        return head;
    }

    public async Task ReadInlineAsync(HttpContent content, int length, CancellationToken cancellationToken)
    {
        _inline = ArrayPool<byte>.Shared.Rent(length);
        var target = new MemoryStream(_inline, 0, length, writable: true);
        try
        {
            await content.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            _inlineLength = (int)target.Position;
        }
        catch (NotSupportedException ex)
        {
            // The fixed-size target refused to grow: the content is longer than it declared.
            throw new HttpRequestException(HttpRequestError.Unknown, $"The content produced more bytes than its Content-Length {length}.", ex);
        }
        finally
        {
            await target.DisposeAsync().ConfigureAwait(false);
        }

        if (_inlineLength != length)
        {
            throw new HttpRequestException(HttpRequestError.Unknown, $"The content declared Content-Length {length} but produced {_inlineLength} bytes.");
        }
    }

    public void Dispose()
    {
        _head?.Dispose();
        _head = null;
        if (_inline is not null)
        {
            ArrayPool<byte>.Shared.Return(_inline);
            _inline = null;
        }
    }
}
