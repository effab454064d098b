namespace WsRest.Server.Dispatch;

/// <summary>
/// The request contexts one connection keeps between requests. Bounded, so a burst of concurrent
/// requests leaves at most <see cref="Capacity"/> contexts behind on a connection that then goes quiet.
/// </summary>
internal sealed class DispatchContextPool
{
    /// <summary>Enough for the steady state of a busy connection; a miss only costs a new context.</summary>
    public const int Capacity = 32;

    // Made at the first return, and locked through this pool object: an idle connection that never
    // served a request carries no array and no lock object (docs/benchmarks.md, idle connections).
    private DispatchContext?[]? _items;
    private int _count;

    public DispatchContext? Rent()
    {
        lock (this)
        {
            if (_count == 0)
            {
                return null;
            }

            var context = _items![--_count];
            _items[_count] = null;
            return context;
        }
    }

    /// <summary>Keeps <paramref name="context"/> (already reset) for the next request, unless the pool is full.</summary>
    public void Return(DispatchContext context)
    {
        lock (this)
        {
            if (_count < Capacity)
            {
                (_items ??= new DispatchContext?[Capacity])[_count++] = context;
            }
        }
    }
}
