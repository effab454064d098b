using StackExchange.Redis;

namespace WsRest.Redis.Connections;

/// <summary>
/// Names of the keys and channels. A topic's keys share the hash tag <c>{topic}</c>, so the publish
/// script's keys live in one slot of a Redis Cluster.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public RedisKey Sequence(string topic) => $"{prefix}:{{{topic}}}:seq";

    /// <summary>The epoch of the topic's numbering (docs/pubsub.md, "Epochs"): replaced whenever the numbering starts again at 1.</summary>
    public RedisKey Epoch(string topic) => $"{prefix}:{{{topic}}}:epoch";

    public RedisKey Events(string topic) => $"{prefix}:{{{topic}}}:events";

    public RedisChannel EventChannel(string topic) => RedisChannel.Literal($"{prefix}:ev:{topic}");

    public RedisKey Node(string node) => $"{prefix}:node:{node}";

    public RedisKey Nodes => $"{prefix}:nodes";

    public RedisKey NodeConnections(string node) => $"{prefix}:node:{node}:conns";

    public RedisKey Connection(string id) => $"{prefix}:conn:{id}";

    public RedisChannel NodeChannel(string node) => RedisChannel.Literal($"{prefix}:call:{node}");
}
