namespace WsRest.Redis.PubSub;

/// <summary>
/// The one script that publishes (docs/scale-out.md, "Pub/sub"). Redis runs a script alone, so the
/// increment, the append to the topic's stream and the notification happen as one step: stream order,
/// notification order and sequence order are the same for every publishing node.
/// </summary>
internal static class PublishScript
{
    /// <summary>
    /// KEYS: sequence counter, event stream, epoch. ARGV: floor (the highest sequence this node has seen for
    /// the topic: a counter lost by Redis never restarts below what a node already delivered), stream
    /// length, content type, data, notification channel, the epoch this node knows (0: none), a new epoch.
    /// Returns the event's sequence. The stream entry id is <c>&lt;sequence&gt;-0</c>, so a replay is a
    /// plain range read by sequence. A numbering that starts at 1 gets the new epoch; a lost epoch whose
    /// numbering a node carried on (the floor) gets that node's epoch back, so the epoch changes exactly
    /// when the numbering restarts. The notification starts with <c>e&lt;epoch&gt;:</c>.
    /// </summary>
    public const string Publish = """
        local seq = redis.call('INCR', KEYS[1])
        local floor = tonumber(ARGV[1])
        if seq <= floor then
          seq = floor + 1
          redis.call('SET', KEYS[1], seq)
        end
        local epoch = redis.call('GET', KEYS[3])
        if seq == 1 then
          epoch = ARGV[7]
          redis.call('SET', KEYS[3], epoch)
        elseif not epoch then
          if ARGV[6] ~= '0' then epoch = ARGV[6] else epoch = ARGV[7] end
          redis.call('SET', KEYS[3], epoch)
        end
        redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-0', 'c', ARGV[3], 'd', ARGV[4])
        redis.call('PUBLISH', ARGV[5], 'e' .. epoch .. ':' .. seq .. ':' .. string.len(ARGV[3]) .. ':' .. ARGV[3] .. ARGV[4])
        return seq
        """;

    /// <summary>
    /// KEYS: sequence counter, epoch. ARGV: floor, the epoch this node knows (0: none). Raises a counter
    /// that Redis lost (restart without persistence) back to what this node delivered, with its epoch:
    /// the numbering goes on, so the epoch does too.
    /// </summary>
    public const string Raise = """
        local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
        local floor = tonumber(ARGV[1])
        if seq < floor then
          redis.call('SET', KEYS[1], floor)
          if ARGV[2] ~= '0' then redis.call('SET', KEYS[2], ARGV[2]) end
          return floor
        end
        return seq
        """;
}
