using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace WsRest.Load;

/// <summary>
/// The SignalR transport: one <see cref="HubConnection"/> of the full client package
/// (<c>Microsoft.AspNetCore.SignalR.Client</c>: <c>WithUrl</c>, the negotiate request, the WebSocket
/// transport, JSON hub protocol, defaults otherwise) shared by all loops, one <c>InvokeAsync</c> per
/// request against <see cref="BenchHub"/>.
/// </summary>
internal sealed class SignalRTransport : ITransport
{
    private readonly HubConnection _connection;

    private SignalRTransport(HubConnection connection) => _connection = connection;

    public static async Task<SignalRTransport> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        // As an app connects: negotiate, then the WebSocket transport (the only one the comparison is
        // about; negotiate would pick it anyway, naming it keeps a fallback from hiding a failure).
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"http://127.0.0.1:{port}/hub"), HttpTransportType.WebSockets)
            .Build();
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SignalRTransport(connection);
    }

    public IRequester CreateRequester(Workload workload) => workload == Workload.SmallGet
        ? new SmallRequester(_connection)
        : new EchoRequester(_connection);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private sealed class SmallRequester(HubConnection connection) : IRequester
    {
        public async ValueTask SendAsync()
        {
            var result = await connection.InvokeAsync<JsonElement>(BenchHub.SmallMethod).ConfigureAwait(false);
            // The value's own UTF-8 bytes, as received: no re-serialization to measure it.
            var length = JsonMarshal.GetRawUtf8Value(result).Length;
            if (length != Payloads.SmallJson.Length)
            {
                throw new InvalidDataException($"SignalR {BenchHub.SmallMethod}: {length} payload bytes, expected {Payloads.SmallJson.Length}.");
            }
        }
    }

    private sealed class EchoRequester(HubConnection connection) : IRequester
    {
        public async ValueTask SendAsync()
        {
            var result = await connection.InvokeAsync<byte[]>(BenchHub.EchoMethod, Payloads.Echo4K).ConfigureAwait(false);
            if (result.Length != Payloads.EchoSize)
            {
                throw new InvalidDataException($"SignalR {BenchHub.EchoMethod}: {result.Length} payload bytes, expected {Payloads.EchoSize}.");
            }
        }
    }
}
