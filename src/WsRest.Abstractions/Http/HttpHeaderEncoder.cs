using System.Net.Http;
using System.Text;
using System.Net.Http.Headers;
using WsRest.Engine;
using WsRest.Protocol;

namespace WsRest.Http;

/// <summary>Encodes <see cref="HttpHeaders"/> of a request or response into a header block.</summary>
internal static class HttpHeaderEncoder
{
    /// <summary>
    /// One entry per header, its values joined with the header's own separator (", ", "; " for Cookie,
    /// " " for User-Agent) exactly as SocketsHttpHandler writes one HTTP/1.1 line, so the app sees the
    /// same values over WsRest as over plain HTTP. Invalid names or values fail this request only
    /// (the receiver would have to fail the whole connection, docs/protocol.md §5.2).
    /// <para>
    /// With <paramref name="asciiOnly"/> (a request, as SocketsHttpHandler sends one) a value with a
    /// character past U+007F fails the request before anything is sent, with SocketsHttpHandler's own
    /// error: HTTP/1.1 and HTTP/2 carry header bytes, and without an encoding selector it writes ASCII
    /// only (docs/decisions.md, "Non-ASCII request headers").
    /// </para>
    /// </summary>
    public static void Write(PooledBufferWriter writer, HttpHeadersNonValidated headers, bool asciiOnly = false)
    {
        foreach (var header in headers)
        {
            if (HopByHopHeaders.IsExcluded(header.Key))
            {
                continue;
            }

            var values = header.Value;
            if (values.Count == 0)
            {
                continue;
            }

            if (values.Count > 1 && header.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                // Set-Cookie is the one header that cannot be joined (RFC 9110 §5.3): one entry per value.
                foreach (var cookie in values)
                {
                    WriteOne(writer, header.Key, cookie, asciiOnly);
                }

                continue;
            }

            string value;
            if (values.Count == 1)
            {
                using var enumerator = values.GetEnumerator();
                enumerator.MoveNext();
                value = enumerator.Current;
            }
            else
            {
                value = values.ToString();
            }

            WriteOne(writer, header.Key, value, asciiOnly);
        }
    }

    private static void WriteOne(PooledBufferWriter writer, string name, string value, bool asciiOnly)
    {
        if (asciiOnly && !Ascii.IsValid(value))
        {
            // SocketsHttpHandler's message (SR.net_http_request_invalid_char_encoding), so callers match one error.
            throw new HttpRequestException("Request headers must contain only ASCII characters.");
        }

        if (!HeaderCodec.IsValidHeader(name, value))
        {
            throw new HttpRequestException(HttpRequestError.Unknown, $"The header '{name}' has an invalid name or a value containing CR, LF or NUL.");
        }

        HeaderCodec.WriteHeader(writer, name, value);
    }
}
