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

    /// <summary>
    /// Topics the in-memory bus holds at once; a subscribe or publish that would create one more is
    /// refused (the connection stays up). A topic nobody subscribes to and nothing was published on is
    /// forgotten at once, so subscribing to ever new names holds nothing. Default 100,000.
    /// </summary>
    public int MaxTopics { get; set; } = 100_000;

    /// <summary>
    /// Decides whether a connection may subscribe to a topic; null (the default) allows every topic: a
    /// subscriber only receives what the server chose to publish there. Set it when topics carry
    /// per-user or per-tenant data (docs/pubsub.md, "Who may subscribe").
    /// </summary>
    public Func<WsRestConnection, string, bool>? AuthorizeSubscribe { get; set; }

    /// <summary>Decides whether a connection may publish to a topic; null (the default) lets no client publish.</summary>
    public Func<WsRestConnection, string, bool>? AuthorizePublish { get; set; }
}
