using System.Buffers;
using System.Net.Http;
using WsRest.Engine;

namespace WsRest.Http;

/// <summary>The encoded head and the inline body of a message (request or response) not yet sent; owns their pooled buffers.</summary>
internal sealed class OutgoingMessage : IDisposable
{
    private PooledBufferWriter? _head;
    private byte[]? _inline;
    private int _inlineLength;

    /// <summary>Takes ownership of <paramref name="head"/>.</summary>
    public OutgoingMessage(PooledBufferWriter head) => _head = head;

    public PooledBufferWriter Head => _head ?? throw new InvalidOperationException("The head was already handed over.");

    public ReadOnlyMemory<byte> InlineBody => _inline is null ? ReadOnlyMemory<byte>.Empty : _inline.AsMemory(0, _inlineLength);

    public bool EndStream { get; set; }

    /// <summary>A new head for another send attempt (the previous one was handed over with <see cref="TakeHead"/>).</summary>
    public void ReplaceHead(PooledBufferWriter head)
    {
        _head?.Dispose();
        _head = head;
    }

    public PooledBufferWriter TakeHead()
    {
        var head = Head;
        _head = null;
        return head;
    }

    public async Task ReadInlineAsync(HttpContent content, int length, CancellationToken cancellationToken)
    {
        _inline = BytePool.Rent(length);
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
            BytePool.Return(_inline);
            _inline = null;
        }
    }
}
