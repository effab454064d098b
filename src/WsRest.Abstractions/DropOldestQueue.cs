namespace WsRest;

/// <summary>
/// A single-consumer queue that holds at most <c>capacity</c> droppable items: past that it drops its
/// oldest droppable item (reported to the caller, who turns it into a gap notice). Control items
/// (acknowledgements, gap markers) are never dropped; there are few of them by construction.
/// </summary>
internal sealed class DropOldestQueue<T>
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(T Item, bool Droppable)> _items = new();
    private readonly int _capacity;
    private readonly Action<T>? _onDropped;
    private int _droppable;
    private TaskCompletionSource? _waiter;
    private bool _completed;

    /// <param name="capacity">Droppable items held at most.</param>
    /// <param name="onDropped">
    /// Called under the queue's lock as an item is dropped, so whoever dequeues an item after it (a
    /// consumer that must report the drop before that item) always finds the drop recorded.
    /// </param>
    public DropOldestQueue(int capacity, Action<T>? onDropped = null)
    {
        _capacity = Math.Max(capacity, 1);
        _onDropped = onDropped;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds an item; returns false when an old item had to go, given in <paramref name="dropped"/>. Never blocks.</summary>
    public bool Enqueue(T item, bool droppable, out T? dropped)
    {
        TaskCompletionSource? waiter;
        dropped = default;
        var kept = true;
        lock (_lock)
        {
            if (_completed)
            {
                return true;
            }

            _items.AddLast((item, droppable));
            if (droppable && ++_droppable > _capacity)
            {
                for (var node = _items.First; node is not null; node = node.Next)
                {
                    if (node.Value.Droppable)
                    {
                        dropped = node.Value.Item;
                        _items.Remove(node);
                        _onDropped?.Invoke(dropped);
                        _droppable--;
                        kept = false;
                        break;
                    }
                }
            }

            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
        return kept;
    }

    /// <summary>Takes the oldest item, waiting for one; false once the queue is completed and empty.</summary>
    public async ValueTask<(bool Ok, T? Item)> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_items.First is { } first)
                {
                    _items.RemoveFirst();
                    if (first.Value.Droppable)
                    {
                        _droppable--;
                    }

                    return (true, first.Value.Item);
                }

                if (_completed)
                {
                    return (false, default);
                }

                waiter = _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more items: the consumer drains what is left, then sees the end.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _completed = true;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }
}
