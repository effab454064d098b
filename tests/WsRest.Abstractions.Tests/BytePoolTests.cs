using System.Buffers;
using WsRest.Engine;

namespace WsRest.Abstractions.Tests;

/// <summary>
/// The Debug build's pool checks (docs/contributing.md, "Flaky tests"): a misused array is reported
/// where it is misused. Release builds pass straight through to the shared pool, so there is nothing to
/// check there.
/// </summary>
public class BytePoolTests
{
    // A size nothing else in these tests rents (the shared pool's 4 MiB bucket), so no other renter can
    // be handed the array between the two returns, or write into it after it was returned.
    private const int Size = 3_000_000;

    [Test]
    public void AnArrayReturnedTwiceThrowsAtTheSecondReturn()
    {
#if DEBUG
        var array = BytePool.Rent(Size);
        BytePool.Return(array);

        var error = Assert.Throws<InvalidOperationException>(() => BytePool.Return(array));
        Assert.That(error!.Message, Does.Contain("returned to the pool twice"));
#else
        Assert.Ignore("Release builds do not check the pool.");
#endif
    }

    [Test]
    public void AnArrayTheSharedPoolGaveSomeoneElseCannotBeReturnedHere()
    {
#if DEBUG
        var foreign = ArrayPool<byte>.Shared.Rent(Size);
        try
        {
            Assert.Throws<InvalidOperationException>(() => BytePool.Return(foreign));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(foreign);
        }
#else
        Assert.Ignore("Release builds do not check the pool.");
#endif
    }

    [Test]
    public void AReturnedArrayIsOverwrittenSoALateReadSeesGarbage()
    {
#if DEBUG
        var array = BytePool.Rent(Size);
        array.AsSpan().Fill(7);
        BytePool.Return(array);

        Assert.That(array.AsSpan().IndexOfAnyExcept((byte)0xDD), Is.EqualTo(-1));
#else
        Assert.Ignore("Release builds do not check the pool.");
#endif
    }
}
