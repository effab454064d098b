using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace WsRest.Server;

/// <summary>Publishes events to subscribed WsRest clients, from anywhere in the app (docs/pubsub.md).</summary>
public interface IWsRestPublisher
{
    /// <summary>Publishes raw bytes; returns the event's sequence number in its topic.</summary>
    ValueTask<long> PublishAsync(string topic, ReadOnlyMemory<byte> data, string contentType = "application/octet-stream", CancellationToken cancellationToken = default);

    /// <summary>Publishes <paramref name="value"/> as JSON with source-generated metadata.</summary>
    ValueTask<long> PublishAsJsonAsync<T>(string topic, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="value"/> as JSON with reflection-based options; without
    /// <paramref name="options"/>, the web defaults (<see cref="JsonSerializerOptions.Web"/>, camelCase),
    /// which is also what <see cref="WsRestEvent.GetFromJson{T}(JsonSerializerOptions?)"/> reads with by default.
    /// </summary>
    ValueTask<long> PublishAsJsonAsync<T>(string topic, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default);
}
