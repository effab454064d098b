using Microsoft.AspNetCore.Http.Features;

namespace WsRest.Server.Dispatch;

/// <summary>Per-request body size limit; read-only once the body is being read, as in Kestrel.</summary>
internal sealed class DispatchMaxRequestBodySizeFeature : IHttpMaxRequestBodySizeFeature
{
    private long? _max;
    private bool _reading;

    /// <summary>A new request: its limit starts at the connection's, and the body is not being read yet.</summary>
    public void Reset(long? max)
    {
        _max = max;
        _reading = false;
    }

    public bool IsReadOnly => _reading;

    public long? MaxRequestBodySize
    {
        get => _max;
        set
        {
            if (_reading)
            {
                throw new InvalidOperationException("The maximum request body size cannot be modified after the app has already started reading the request body.");
            }

            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "The value must be null or non-negative.");
            }

            _max = value;
        }
    }

    public long? StartReading()
    {
        _reading = true;
        return _max;
    }
}
