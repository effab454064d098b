using System.Buffers;

namespace WsRest.Engine;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one array rented from <see cref="ArrayPool{T}.Shared"/>,
/// grown by renting a larger one. Not thread-safe; one owner at a time, who must call
/// <see cref="Dispose"/> (or <see cref="DetachBuffer"/>) to give the array back.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    // One writer kept per thread for the heads encoded per request (Rent, Release): the array is pooled
    // either way, and this keeps the object from being allocated again for every request at each end.
    [ThreadStatic]
    private static PooledBufferWriter? t_spare;

    private byte[] _buffer;
    private int _written;

    /// <param name="initialCapacity">Bytes to rent now; 0 rents on first use (and <see cref="Dispose"/> makes the writer empty and reusable).</param>
    public PooledBufferWriter(int initialCapacity = 256)
    {
        _buffer = initialCapacity > 0 ? BytePool.Rent(initialCapacity) : [];
    }

    /// <summary>A writer with <paramref name="initialCapacity"/> bytes rented: this thread's spare if it has one, else a new one.</summary>
    public static PooledBufferWriter Rent(int initialCapacity)
    {
        var writer = t_spare;
        if (writer is null)
        {
            return new PooledBufferWriter(initialCapacity);
        }

        t_spare = null;
        writer._buffer = BytePool.Rent(initialCapacity);
        return writer;
    }

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Reset() => _written = 0;

    /// <summary>Hands the rented array and its written length to a new owner, who returns it to the pool.</summary>
    public byte[] DetachBuffer(out int length)
    {
        var buffer = _buffer;
        length = _written;
        _buffer = [];
        _written = 0;
        return buffer;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            BytePool.Return(buffer);
        }
    }

    /// <summary>
    /// Gives the array back (as <see cref="Dispose"/>) and keeps the writer as this thread's spare for
    /// <see cref="Rent"/>. Only the writer's last owner calls it, and never uses it afterwards.
    /// </summary>
    public void Release()
    {
        Dispose();
        t_spare = this;
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var next = BytePool.Rent(Math.Max(Math.Max(_buffer.Length * 2, 256), _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(next);
        if (_buffer.Length > 0)
        {
            BytePool.Return(_buffer);
        }

        _buffer = next;
    }
}
