namespace WsRest.Redis.Tests.Infrastructure;

/// <summary>A body of <c>length</c> bytes generated on the fly (byte i is i mod 251), so nothing holds it whole.</summary>
public sealed class PatternStream(long length) : Stream
{
    private long _position;

    public long Produced => Interlocked.Read(ref _position);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public static byte At(long index) => (byte)(index % 251);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < count; i++)
        {
            buffer[i] = At(_position + i);
        }

        Interlocked.Add(ref _position, count);
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Reads <paramref name="stream"/> to its end, checking every byte against the pattern; returns the position reached.</summary>
    /// <param name="stream">The body.</param>
    /// <param name="stopAfter">Stop once this many bytes (counted from the start of the body) have been read.</param>
    /// <param name="offset">Where in the body <paramref name="stream"/> is now.</param>
    public static async Task<long> VerifyAsync(Stream stream, long stopAfter = long.MaxValue, long offset = 0)
    {
        var buffer = new byte[81920];
        var total = offset;
        while (total < stopAfter)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != At(total + i))
                {
                    Assert.Fail($"Byte {total + i} is {buffer[i]}, expected {At(total + i)}.");
                }
            }

            total += read;
        }

        return total;
    }
}
