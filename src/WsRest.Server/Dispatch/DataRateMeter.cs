using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Kestrel's minimum request body data rate for one tunneled stream: the bytes read and the time spent
/// waiting for the client to send them. After the grace period the average over the time waited
/// must stay at or above the minimum; only time spent waiting for the peer counts, so an app that is
/// slow to read or write is never blamed on the client. Per stream, so one slow stream cannot starve
/// the others of the connection (issue 19, item 2).
/// </summary>
internal struct DataRateMeter
{
    private long _bytes;
    private TimeSpan _waited;

    public void Reset()
    {
        _bytes = 0;
        _waited = TimeSpan.Zero;
    }

    public void AddBytes(long count) => _bytes += count;

    public void AddWait(TimeSpan waited) => _waited += waited;

    /// <summary>How much longer the peer may keep this side waiting, with nothing moving, before it is too slow.</summary>
    public readonly TimeSpan AllowedWait(MinDataRate rate)
    {
        var earned = TimeSpan.FromSeconds(_bytes / rate.BytesPerSecond);
        var budget = earned > rate.GracePeriod ? earned : rate.GracePeriod;
        var left = budget - _waited;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
