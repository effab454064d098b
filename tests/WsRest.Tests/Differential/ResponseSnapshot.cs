using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace WsRest.Tests.Differential;

/// <summary>Everything the differential comparison looks at in one response, fully read.</summary>
public sealed partial class ResponseSnapshot
{
    /// <summary>
    /// Response headers that describe the HTTP/1.1 hop (framing, connection management) or are stamped
    /// by Kestrel's connection layer per response, not produced by the app:
    /// <list type="bullet">
    /// <item>Date and Server: Kestrel's HTTP/1.1 writer adds them to each response it serializes; Date differs by the second anyway.</item>
    /// <item>Transfer-Encoding, Connection, Keep-Alive: hop-by-hop (RFC 9110 §7.6.1); a WsRest stream is framed by its END flag.</item>
    /// </list>
    /// Content-Length is framing too, but only ignored when the HTTP/1.1 response was chunked (then each
    /// side's Content-Length, if any, must still match its body); everywhere else it must be identical.
    /// Header names compare case-insensitively (RFC 9110 §5.1); values compare exactly and in order.
    /// </summary>
    public static readonly IReadOnlySet<string> TransportResponseHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Server", "Transfer-Encoding", "Connection", "Keep-Alive",
    };

    private ResponseSnapshot(string transport, HttpStatusCode status, string? reasonPhrase, Version version, IReadOnlyList<KeyValuePair<string, string[]>> headers, byte[] body, bool chunked)
    {
        Transport = transport;
        Status = status;
        ReasonPhrase = reasonPhrase;
        Version = version;
        Headers = headers;
        Body = body;
        Chunked = chunked;
    }

    /// <summary>"HTTP" or "WsRest".</summary>
    public string Transport { get; }

    public HttpStatusCode Status { get; }

    public string? ReasonPhrase { get; }

    public Version Version { get; }

    /// <summary>Response and content headers, raw values (not re-parsed), in the order HttpClient reports them.</summary>
    public IReadOnlyList<KeyValuePair<string, string[]>> Headers { get; }

    public byte[] Body { get; }

    /// <summary>The response came with Transfer-Encoding: chunked.</summary>
    public bool Chunked { get; }

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>First value of a header, or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, values) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return values.Length > 0 ? values[0] : string.Empty;
            }
        }

        return null;
    }

    /// <summary>All values of a header (empty when absent).</summary>
    public IReadOnlyList<string> HeaderValues(string name)
    {
        foreach (var (key, values) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return values;
            }
        }

        return [];
    }

    /// <summary>Sends <paramref name="request"/>, reads the whole body and disposes the response.</summary>
    public static async Task<ResponseSnapshot> CaptureAsync(HttpClient client, HttpRequestMessage request, string transport)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        return FromResponse(response, body, transport);
    }

    /// <summary>Builds a snapshot from a response whose body was read by the caller.</summary>
    public static ResponseSnapshot FromResponse(HttpResponseMessage response, byte[] body, string transport)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = new List<KeyValuePair<string, string[]>>();
        foreach (var header in response.Headers.NonValidated)
        {
            headers.Add(new(header.Key, [.. header.Value]));
        }

        foreach (var header in response.Content.Headers.NonValidated)
        {
            headers.Add(new(header.Key, [.. header.Value]));
        }

        return new ResponseSnapshot(transport, response.StatusCode, response.ReasonPhrase, response.Version, headers, body, response.Headers.TransferEncodingChunked == true);
    }

    /// <summary>
    /// The headers as comparable text: one line per header, sorted by lower-cased name, transport
    /// headers left out (see <see cref="TransportResponseHeaders"/>), Content-Length left out when
    /// <paramref name="ignoreContentLength"/>.
    /// </summary>
    public string FormatHeaders(bool ignoreContentLength)
    {
        var lines = new List<string>();
        foreach (var (name, values) in Headers)
        {
            if (TransportResponseHeaders.Contains(name) || (ignoreContentLength && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            lines.Add($"{name.ToLowerInvariant()}: {string.Join(" | ", values)}");
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>
    /// The body with per-request noise removed: in a problem details document the <c>traceId</c> member
    /// is unique per request, so its hex digits are masked (its shape — W3C trace parent or not — stays).
    /// Any other body is returned unchanged.
    /// </summary>
    public byte[] NormalizedBody()
    {
        var contentType = Header("Content-Type");
        if (contentType is null || !contentType.Contains("problem+json", StringComparison.OrdinalIgnoreCase))
        {
            return Body;
        }

        var text = TraceIdMember().Replace(Text, match => match.Groups[1].Value + HexDigit().Replace(match.Groups[2].Value, "x") + "\"");
        return Encoding.UTF8.GetBytes(text);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Transport} {(int)Status} {ReasonPhrase}\n{FormatHeaders(ignoreContentLength: false)}\n\n{(Body.Length <= 2048 ? Text : $"<{Body.Length} bytes>")}";

    [GeneratedRegex("(\"traceId\"\\s*:\\s*\")([^\"]*)\"")]
    private static partial Regex TraceIdMember();

    [GeneratedRegex("[0-9a-fA-F]")]
    private static partial Regex HexDigit();
}
