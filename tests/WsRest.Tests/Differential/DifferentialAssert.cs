using System.Text;

namespace WsRest.Tests.Differential;

/// <summary>The comparison itself: same status, same non-transport headers, byte-identical body.</summary>
public static class DifferentialAssert
{
    private const int TextCompareLimit = 64 * 1024;

    /// <summary>
    /// Asserts that the WsRest response equals the plain HTTP one (see <see cref="ResponseSnapshot.TransportResponseHeaders"/>).
    /// The reason phrase is not compared: it exists only in the HTTP/1.1 status line (HTTP/2 and 3 have
    /// none either), RFC 9112 §4 tells clients to ignore it, and HttpClient fills it from its own table
    /// when the transport carries none (that table lacks e.g. 418, so HTTP/1.1 says "I'm a teapot", WsRest null).
    /// </summary>
    public static void Same(ResponseSnapshot http, ResponseSnapshot wsRest)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(wsRest);

        // Content-Length is compared unless the HTTP/1.1 side was chunked (the only case where one side
        // legitimately frames the body differently); then each side's own value must match its body.
        var ignoreContentLength = http.Chunked || wsRest.Chunked;
        var httpBody = http.NormalizedBody();
        var wsRestBody = wsRest.NormalizedBody();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(wsRest.Status, Is.EqualTo(http.Status), "status code");
            Assert.That(wsRest.FormatHeaders(ignoreContentLength), Is.EqualTo(http.FormatHeaders(ignoreContentLength)), "response headers (transport headers excluded)");
            if (ignoreContentLength)
            {
                AssertContentLengthMatchesBody(http);
                AssertContentLengthMatchesBody(wsRest);
            }

            AssertSameBody(httpBody, wsRestBody, http.Header("Content-Type"));
        }
    }

    private static void AssertContentLengthMatchesBody(ResponseSnapshot snapshot)
    {
        if (snapshot.Header("Content-Length") is { } contentLength)
        {
            Assert.That(contentLength, Is.EqualTo(snapshot.Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{snapshot.Transport} Content-Length vs its body");
        }
    }

    private static void AssertSameBody(byte[] http, byte[] wsRest, string? contentType)
    {
        var textual = contentType is not null
            && (contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || contentType.Contains("json", StringComparison.OrdinalIgnoreCase));
        if (textual && http.Length <= TextCompareLimit && wsRest.Length <= TextCompareLimit)
        {
            Assert.That(Encoding.UTF8.GetString(wsRest), Is.EqualTo(Encoding.UTF8.GetString(http)), "body (as UTF-8 text)");
        }

        Assert.That(wsRest.Length, Is.EqualTo(http.Length), "body length");
        var firstDifference = FirstDifference(http, wsRest);
        Assert.That(firstDifference, Is.EqualTo(-1), "index of the first differing body byte (-1: byte-identical)");
    }

    private static int FirstDifference(byte[] left, byte[] right)
    {
        var common = left.AsSpan().CommonPrefixLength(right);
        return common == left.Length && common == right.Length ? -1 : common;
    }
}
