using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using WsRest.Diagnostics;

namespace WsRest.Server.PubSub;

/// <summary>Validates, serializes and hands events to the bus.</summary>
internal sealed class WsRestPublisher(IWsRestEventBus bus, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null) : IWsRestPublisher
{
    private readonly WsRestMetrics _metrics = WsRestMetrics.For(meterFactory);

    private const string Json = "application/json";

    public async ValueTask<long> PublishAsync(string topic, ReadOnlyMemory<byte> data, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
    {
        WsRestTopic.Validate(topic);
        ArgumentNullException.ThrowIfNull(contentType);

        // The bus may keep the bytes for replay: it gets its own copy, so callers may reuse their buffer.
        var sequence = await bus.PublishAsync(topic, contentType, data.ToArray(), cancellationToken).ConfigureAwait(false);
        _metrics.EventsPublished.Add(1);
        return sequence;
    }

    public ValueTask<long> PublishAsJsonAsync<T>(string topic, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        => PublishSerializedAsync(topic, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), cancellationToken);

    public ValueTask<long> PublishAsJsonAsync<T>(string topic, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
        => PublishSerializedAsync(topic, JsonSerializer.SerializeToUtf8Bytes(value, options ?? JsonSerializerOptions.Web), cancellationToken);

    private async ValueTask<long> PublishSerializedAsync(string topic, byte[] json, CancellationToken cancellationToken)
    {
        WsRestTopic.Validate(topic);
        var sequence = await bus.PublishAsync(topic, Json, json, cancellationToken).ConfigureAwait(false);
        _metrics.EventsPublished.Add(1);
        return sequence;
    }
}
