using System.Buffers;
using System.Collections;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace WsRest.Server.Dispatch;

/// <summary>
/// A tunneled response's headers, checked as Kestrel checks its own when the app sets them: a value
/// with a control character or a character past U+007E throws at once (unless Kestrel's
/// <c>ResponseHeaderEncodingSelector</c> names an encoding for that header, which then allows all but
/// control characters), and once the response has started every change throws. The app thus sees the
/// same exception at the same line on both transports, and can still catch it and fall back.
/// </summary>
internal sealed class DispatchResponseHeaders : IHeaderDictionary
{
    // Kestrel's field-value characters: HTAB, SP and VCHAR (RFC 9110 §5.5), without obs-text.
    private static readonly SearchValues<char> AsciiFieldValue = SearchValues.Create("\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // What a header named by the encoding selector may still not carry: controls other than HTAB, and DEL.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    private readonly HeaderDictionary _inner = new();
    private Func<string, Encoding?>? _encodingSelector;

    /// <summary>Set when the response starts; cleared for the next request.</summary>
    public bool IsReadOnly { get; private set; }

    public int Count => _inner.Count;

    public ICollection<string> Keys => _inner.Keys;

    public ICollection<StringValues> Values => _inner.Values;

    public long? ContentLength
    {
        get => _inner.ContentLength;
        set
        {
            ThrowIfReadOnly();
            _inner.ContentLength = value;
        }
    }

    public StringValues this[string key]
    {
        get => _inner[key];
        set
        {
            ThrowIfReadOnly();
            Validate(key, value);
            _inner[key] = value;
        }
    }

    StringValues IDictionary<string, StringValues>.this[string key]
    {
        get => _inner[key];
        set => this[key] = value;
    }

    /// <summary>Readies the headers for a new request's response.</summary>
    public void Reset(Func<string, Encoding?>? encodingSelector)
    {
        IsReadOnly = false;
        _inner.Clear();
        _encodingSelector = encodingSelector;
    }

    /// <summary>The response has started: the headers are what was sent.</summary>
    public void Freeze() => IsReadOnly = true;

    /// <summary>The struct enumerator of the underlying dictionary: no boxed enumerator per response.</summary>
    public HeaderDictionary.Enumerator GetEnumerator() => _inner.GetEnumerator();

    IEnumerator<KeyValuePair<string, StringValues>> IEnumerable<KeyValuePair<string, StringValues>>.GetEnumerator() => _inner.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _inner.GetEnumerator();

    public void Add(string key, StringValues value)
    {
        ThrowIfReadOnly();
        Validate(key, value);
        _inner.Add(key, value);
    }

    public void Add(KeyValuePair<string, StringValues> item) => Add(item.Key, item.Value);

    public void Clear()
    {
        ThrowIfReadOnly();
        _inner.Clear();
    }

    public bool Contains(KeyValuePair<string, StringValues> item) => ((ICollection<KeyValuePair<string, StringValues>>)_inner).Contains(item);

    public bool ContainsKey(string key) => _inner.ContainsKey(key);

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, StringValues>>)_inner).CopyTo(array, arrayIndex);

    public bool Remove(string key)
    {
        ThrowIfReadOnly();
        return _inner.Remove(key);
    }

    public bool Remove(KeyValuePair<string, StringValues> item)
    {
        ThrowIfReadOnly();
        return ((ICollection<KeyValuePair<string, StringValues>>)_inner).Remove(item);
    }

    public bool TryGetValue(string key, out StringValues value) => _inner.TryGetValue(key, out value);

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            // Kestrel's text (CoreStrings.HeadersAreReadOnly is not public).
            throw new InvalidOperationException("Headers are read-only, response has already started.");
        }
    }

    private void Validate(string name, StringValues values)
    {
        foreach (var value in values)
        {
            var invalid = value is null ? -1 : value.AsSpan().IndexOfAnyExcept(AsciiFieldValue);

            // The selector is asked only about a value that needs it: plain ASCII costs no call per header.
            if (invalid >= 0 && _encodingSelector?.Invoke(name) is not null)
            {
                invalid = value.AsSpan().IndexOfAny(ControlCharacters);
            }

            if (invalid >= 0)
            {
                // Kestrel's text (CoreStrings.InvalidAsciiOrControlChar).
                throw new InvalidOperationException($"Invalid non-ASCII or control character in header: 0x{(int)value![invalid]:X4}");
            }
        }
    }
}
