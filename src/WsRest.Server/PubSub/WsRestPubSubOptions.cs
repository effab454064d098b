namespace WsRest.Server;

/// <summary>Pub/sub settings of the server (docs/pubsub.md).</summary>
public sealed class WsRestPubSubOptions
{
    /// <summary>Offer pub/sub to clients. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events kept per topic for resuming subscribers (in-memory bus). Default 1000.</summary>
    public int ReplayBufferSize { get; set; } = 1000;

    /// <summary>
    /// Events one connection may have waiting to be sent. When a slow client lets more pile up, the
    /// oldest waiting event is dropped and its subscription gets a gap notice. Default 1000.
    /// </summary>
    public int ConnectionQueueCapacity { get; set; } = 1000;

    /// <summary>Subscriptions one connection may hold; more are refused. Default 1000.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 1000;

    /// <summary>Decides whether a connection may subscribe to a topic; null allows all.</summary>
    public Func<WsRestConnection, string, bool>? AuthorizeSubscribe { get; set; }

    /// <summary>Decides whether a connection may publish to a topic; null (the default) lets no client publish.</summary>
    public Func<WsRestConnection, string, bool>? AuthorizePublish { get; set; }
}
