namespace WsRest.Server.Connections;

/// <summary>
/// The connections this server holds, in all and per user, counted from admission (the upgrade) to
/// teardown, so upgrades that have not finished their handshake count against the limits too. One
/// short lock per admission and per teardown; nothing is awaited under it.
/// </summary>
internal sealed class ConnectionCounter
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _total;

    public enum Result
    {
        /// <summary>Counted; release it at teardown.</summary>
        Acquired,

        /// <summary>The server holds <c>maxTotal</c> connections.</summary>
        ServerFull,

        /// <summary>The user holds <c>maxPerUser</c> connections.</summary>
        UserFull,
    }

    /// <summary>Counts one more connection for <paramref name="user"/> (null: anonymous, no per-user limit) unless a limit is reached.</summary>
    public Result TryAcquire(string? user, int? maxTotal, int? maxPerUser)
    {
        lock (_lock)
        {
            if (_total >= maxTotal)
            {
                return Result.ServerFull;
            }

            var held = 0;
            if (user is not null && _perUser.TryGetValue(user, out held) && held >= maxPerUser)
            {
                return Result.UserFull;
            }

            _total++;
            if (user is not null)
            {
                _perUser[user] = held + 1;
            }

            return Result.Acquired;
        }
    }

    /// <summary>Uncounts a connection acquired for <paramref name="user"/>; a user with none left leaves the table.</summary>
    public void Release(string? user)
    {
        lock (_lock)
        {
            _total--;
            if (user is not null && _perUser.TryGetValue(user, out var held))
            {
                if (held <= 1)
                {
                    _perUser.Remove(user);
                }
                else
                {
                    _perUser[user] = held - 1;
                }
            }
        }
    }
}
