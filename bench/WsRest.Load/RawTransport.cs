namespace WsRest.Load;

/// <summary>
/// The raw WebSocket transports: one <see cref="RawWebSocketClient"/> (a message per request) or one
/// <see cref="RawBatchClient"/> (many requests per message), shared by all loops.
/// </summary>
internal sealed class RawTransport : ITransport
{
    private readonly RawMultiplexClient _client;

    private RawTransport(RawMultiplexClient client) => _client = client;

    public static async Task<RawTransport> ConnectAsync(int port, bool batching, CancellationToken cancellationToken)
    {
        RawMultiplexClient client = batching ? new RawBatchClient() : new RawWebSocketClient();
        try
        {
            await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/{(batching ? "raw-batch" : "raw")}"), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RawTransport(client);
    }

    public IRequester CreateRequester(Workload workload) => new Requester(
        _client.CreateRequest(workload == Workload.SmallGet ? [] : Payloads.Echo4K),
        workload == Workload.SmallGet ? Payloads.SmallJson.Length : Payloads.EchoSize);

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private sealed class Requester(RawRequest request, int expected) : IRequester
    {
        public async ValueTask SendAsync()
        {
            var length = await request.SendAsync().ConfigureAwait(false);
            if (length != expected)
            {
                throw new InvalidDataException($"raw: {length} payload bytes, expected {expected}.");
            }
        }
    }
}
