using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using WsRest.Engine;

namespace WsRest.Client;

public sealed partial class WsRestClient
{
    /// <summary>
    /// Subscribes to <paramref name="topic"/> (docs/pubsub.md). The task completes when the server has
    /// acknowledged, so the subscription is live. <paramref name="handler"/> runs serially, in sequence
    /// order, off the connection's threads; lost events are reported to it as gap notices, never silently.
    /// The subscription survives reconnects (it resumes from the last event received).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The server refused the subscription.</exception>
    /// <exception cref="NotSupportedException">The server does not offer pub/sub.</exception>
    public Task<WsRestSubscription> SubscribeAsync(string topic, Func<WsRestEvent, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
        => _pubSub.SubscribeAsync(topic, handler, cancellationToken);

    /// <summary>Publishes an event where the server allows clients to (it decides per topic); returns its sequence number.</summary>
    /// <exception cref="UnauthorizedAccessException">The server does not let this client publish to <paramref name="topic"/>.</exception>
    public Task<long> PublishAsync(string topic, ReadOnlyMemory<byte> data, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
        => _pubSub.PublishAsync(topic, contentType, data, cancellationToken);

    /// <summary>Publishes <paramref name="value"/> as JSON (source-generator friendly).</summary>
    public Task<long> PublishAsJsonAsync<T>(string topic, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
        => _pubSub.PublishAsync(topic, "application/json", JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), cancellationToken);

    /// <summary>
    /// Publishes <paramref name="value"/> as JSON with reflection-based options; without
    /// <paramref name="options"/>, the web defaults (<see cref="JsonSerializerOptions.Web"/>, camelCase), as the
    /// server's publisher and <see cref="WsRestEvent.GetFromJson{T}(JsonSerializerOptions?)"/> use.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The server does not let this client publish to <paramref name="topic"/>.</exception>
    public Task<long> PublishAsJsonAsync<T>(string topic, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
        => _pubSub.PublishAsync(topic, "application/json", JsonSerializer.SerializeToUtf8Bytes(value, options ?? JsonSerializerOptions.Web), cancellationToken);

    // Pub/sub operations follow the client's wait-for-ready default, as requests do (docs/resilience.md).
    internal Task<WsRestPeer> GetPeerForPubSubAsync(CancellationToken cancellationToken) => GetPeerAsync(_options.Reconnect.WaitForReady, cancellationToken).AsTask();
}
