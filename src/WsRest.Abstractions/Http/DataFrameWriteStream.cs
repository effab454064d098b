using WsRest.Engine;

namespace WsRest.Http;

/// <summary>
/// A write-only <see cref="Stream"/> that turns writes into DATA frames on one stream, waiting for
/// flow-control credit, so a body of any size is sent with bounded memory.
/// </summary>
internal sealed class DataFrameWriteStream : WriteOnlyBodyStream
{
    private readonly WsRestStream _stream;

    public DataFrameWriteStream(WsRestStream stream)
    {
        _stream = stream;
    }

    public long BytesWritten { get; private set; }

    public override void Write(byte[] buffer, int offset, int count)
        => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BytesWritten += buffer.Length;
        return _stream.SendDataAsync(buffer, endStream: false, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

}
