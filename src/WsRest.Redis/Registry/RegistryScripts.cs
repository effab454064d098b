namespace WsRest.Redis.Registry;

/// <summary>Small scripts that keep the registry's keys consistent when several nodes touch them.</summary>
internal static class RegistryScripts
{
    /// <summary>KEYS: a connection hash. ARGV: node. Deletes the hash only while it names that node.</summary>
    public const string DeleteIfOwned = """
        if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;
}
