using System.Collections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace WsRest.Server.Dispatch;

/// <summary>
/// The feature collection: the features every request has live in fields (no dictionary, no lookup
/// beyond a few type comparisons); whatever else the app or middleware adds goes to a small list
/// that is emptied between requests. <see cref="Revision"/> changes with every change, including a
/// reuse, so caches keyed on it (HttpContext's) never see a previous request's features.
/// </summary>
internal partial class DispatchContext : IFeatureCollection
{
    private readonly List<KeyValuePair<Type, object>> _extra = [];
    private int _revision;

    // One slot per entry of KnownTypes, in that order.
    private readonly object?[] _known = new object?[KnownTypes.Length];

    public bool IsReadOnly => false;

    public int Revision => _revision;

    public object? this[Type key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            if (TryGetKnown(key, out var value))
            {
                return value;
            }

            foreach (var (type, feature) in _extra)
            {
                if (type == key)
                {
                    return feature;
                }
            }

            return null;
        }

        set
        {
            ArgumentNullException.ThrowIfNull(key);
            _revision++;
            if (TrySetKnown(key, value))
            {
                return;
            }

            for (var i = 0; i < _extra.Count; i++)
            {
                if (_extra[i].Key == key)
                {
                    if (value is null)
                    {
                        _extra.RemoveAt(i);
                    }
                    else
                    {
                        _extra[i] = new(key, value);
                    }

                    return;
                }
            }

            if (value is not null)
            {
                _extra.Add(new(key, value));
            }
        }
    }

    public TFeature? Get<TFeature>()
    {
        // The app asks for the same few features on every request: their slot is found once per type.
        var index = KnownIndex<TFeature>.Value;
        return index >= 0 ? (TFeature?)_known[index] : (TFeature?)this[typeof(TFeature)];
    }

    public void Set<TFeature>(TFeature? instance)
    {
        var index = KnownIndex<TFeature>.Value;
        if (index >= 0)
        {
            _revision++;
            _known[index] = instance;
            return;
        }

        this[typeof(TFeature)] = instance;
    }

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (var type in KnownTypes)
        {
            if (TryGetKnown(type, out var feature) && feature is not null)
            {
                yield return new(type, feature);
            }
        }

        foreach (var pair in _extra)
        {
            yield return pair;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static readonly Type[] KnownTypes =
    [
        typeof(IHttpRequestFeature),
        typeof(IHttpResponseFeature),
        typeof(IHttpResponseBodyFeature),
        typeof(IHttpRequestBodyDetectionFeature),
        typeof(IHttpMaxRequestBodySizeFeature),
        typeof(IHttpRequestLifetimeFeature),
        typeof(IHttpRequestIdentifierFeature),
        typeof(IHttpConnectionFeature),
        typeof(IHttpAuthenticationFeature),
        typeof(IWsRestConnectionFeature),
        typeof(ITlsConnectionFeature),
        typeof(ITlsHandshakeFeature),
        typeof(ITlsApplicationProtocolFeature),
        typeof(IHttpMinRequestBodyDataRateFeature),
        typeof(IHttpMinResponseDataRateFeature),
    ];

    /// <summary>Every request starts with the same features: these objects, and the connection's TLS ones.</summary>
    private void ResetFeatures()
    {
        _revision++;
        _extra.Clear();
        _known[0] = this;
        _known[1] = Response;
        _known[2] = Response;
        _known[3] = this;
        _known[4] = _maxRequestBodySize;
        _known[5] = this;
        _known[6] = this;
        _known[7] = this;
        _known[8] = this;
        _known[9] = _connection.Connection is null ? null : this;

        // The tunneled request sees the TLS of the WebSocket it arrived on, as a Kestrel request sees its own.
        _known[10] = _connection.Tls;
        _known[11] = _connection.TlsHandshake;
        _known[12] = _connection.TlsApplicationProtocol;
        _dataRates.Reset(_connection);
        _known[13] = _dataRates;
        _known[14] = _dataRates;
    }

    private bool TryGetKnown(Type key, out object? value)
    {
        var index = IndexOfKnown(key);
        value = index < 0 ? null : _known[index];
        return index >= 0;
    }

    private bool TrySetKnown(Type key, object? value)
    {
        var index = IndexOfKnown(key);
        if (index >= 0)
        {
            _known[index] = value;
        }

        return index >= 0;
    }

    private static int IndexOfKnown(Type key)
    {
        // A reference comparison per entry: cheaper than hashing a Type for a dozen entries.
        var types = KnownTypes;
        for (var i = 0; i < types.Length; i++)
        {
            if (ReferenceEquals(types[i], key))
            {
                return i;
            }
        }

        return -1;
    }

    private static class KnownIndex<TFeature>
    {
        public static readonly int Value = IndexOfKnown(typeof(TFeature));
    }
}
