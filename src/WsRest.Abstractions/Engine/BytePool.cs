using System.Buffers;
#if DEBUG
using System.Collections.Concurrent;
#endif

namespace WsRest.Engine;

/// <summary>
/// The byte arrays WsRest rents: <see cref="ArrayPool{T}.Shared"/>, checked in Debug builds the way
/// Kestrel's tests run on a diagnostic memory pool. An array returned twice (or never rented here)
/// throws at the return instead of being handed to two owners later, and a returned array is
/// overwritten, so code that still reads it after the return reads garbage instead of plausible bytes.
/// </summary>
/// <remarks>
/// Release builds add nothing to the shared pool's cost. The suite runs Debug and Release alike
/// (docs/contributing.md), so every Debug run checks every rent and return the tests make.
/// </remarks>
internal static class BytePool
{
#if DEBUG
    private static readonly ConcurrentDictionary<byte[], byte> s_rented = new(ReferenceEqualityComparer.Instance);
#endif

    public static byte[] Rent(int minimumLength)
    {
        var array = ArrayPool<byte>.Shared.Rent(minimumLength);
#if DEBUG
        if (array.Length > 0 && !s_rented.TryAdd(array, 0))
        {
            throw new InvalidOperationException($"The shared pool handed out an array of {array.Length} bytes that WsRest still holds: it was returned while in use.");
        }
#endif
        return array;
    }

    public static void Return(byte[] array)
    {
#if DEBUG
        if (array.Length > 0)
        {
            if (!s_rented.TryRemove(array, out _))
            {
                throw new InvalidOperationException($"An array of {array.Length} bytes was returned to the pool twice, or was never rented from it.");
            }

            array.AsSpan().Fill(0xDD);
        }
#endif
        ArrayPool<byte>.Shared.Return(array);
    }
}
