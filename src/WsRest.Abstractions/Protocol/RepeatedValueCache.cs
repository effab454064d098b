namespace WsRest.Protocol;

/// <summary>
/// The last string decoded for one header whose value repeats from message to message (<c>Date</c>: the
/// same 29 bytes on every response within a second, issue 17): when the bytes match, the string is
/// shared instead of decoded again, which was 80 B per small GET at the client. Any thread may read and
/// replace it; an entry is immutable, so a reader sees a matching pair or none.
/// </summary>
internal sealed class RepeatedValueCache
{
    private Entry? _last;

    /// <summary>The string for <paramref name="utf8"/>, shared with the previous call when the bytes are the same.</summary>
    public string GetString(ReadOnlySpan<byte> utf8)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && utf8.SequenceEqual(last.Bytes))
        {
            return last.Value;
        }

        // Decoded as every other string is (strict UTF-8: a bad value is still a malformed frame).
        var value = PayloadReader.StrictUtf8.GetString(utf8);
        Volatile.Write(ref _last, new Entry(utf8.ToArray(), value));
        return value;
    }

    private sealed record Entry(byte[] Bytes, string Value);
}
