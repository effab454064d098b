namespace WsRest.Redis.PubSub;

/// <summary>
/// The one script that publishes (docs/scale-out.md, "Pub/sub"). Redis runs a script alone, so the
/// increment, the append to the topic's stream and the notification happen as one step: stream order,
/// notification order and sequence order are the same for every publishing node.
/// </summary>
internal static class PublishScript
{
    /// <summary>
    /// KEYS: sequence counter, event stream. ARGV: floor (the highest sequence this node has seen for the
    /// topic: a counter lost by Redis never restarts below what a node already delivered), stream
    /// length, content type, data, notification channel. Returns the event's sequence. The stream entry
    /// id is <c>&lt;sequence&gt;-0</c>, so a replay is a plain range read by sequence.
    /// </summary>
    public const string Publish = """
        local seq = redis.call('INCR', KEYS[1])
        local floor = tonumber(ARGV[1])
        if seq <= floor then
          seq = floor + 1
          redis.call('SET', KEYS[1], seq)
        end
        redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-0', 'c', ARGV[3], 'd', ARGV[4])
        redis.call('PUBLISH', ARGV[5], seq .. ':' .. string.len(ARGV[3]) .. ':' .. ARGV[3] .. ARGV[4])
        return seq
        """;

    /// <summary>KEYS: sequence counter. ARGV: floor. Raises a counter that Redis lost (restart without persistence) back to what this node delivered.</summary>
    public const string Raise = """
        local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
        local floor = tonumber(ARGV[1])
        if seq < floor then
          redis.call('SET', KEYS[1], floor)
          return floor
        end
        return seq
        """;
}
