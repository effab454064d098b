using System.Text;
using Microsoft.AspNetCore.Http;
using WsRest.Protocol;

namespace WsRest.Server.Dispatch;

/// <summary>
/// Kestrel's limits on a request head (<c>KestrelServerLimits.MaxRequestLineSize</c>,
/// <c>MaxRequestHeadersTotalSize</c>, <c>MaxRequestHeaderCount</c>), measured on a tunneled request as
/// HTTP/1.1 would carry it, so an app's protection does not depend on the transport (issue 13): the
/// line "METHOD target HTTP/1.1\r\n", each header as "name: value\r\n", and the Host line the request
/// would have had (every HTTP/1.1 request has one; a tunneled one gets the upgrade's).
/// </summary>
internal static class RequestHeadLimits
{
    private const int VersionAndLineEnd = 11; // " HTTP/1.1\r\n"
    private const int HeaderLineOverhead = 4; // ": " and "\r\n"

    /// <summary>The status Kestrel would answer without running the app (414 or 431) and its reason, or 0 within the limits.</summary>
    public static int Check(RequestHead head, DispatchConnectionContext connection, out string? reason)
    {
        if (head.HeadersTooLarge)
        {
            // Over the protocol's own limit (MaxHeaderListSize, MaxRequestHeaderCount): answered, not reset.
            return Reject(head.RequestLineTooLarge, out reason);
        }

        var line = Encoding.UTF8.GetByteCount(head.Method) + 1 + Encoding.UTF8.GetByteCount(head.PathAndQuery) + VersionAndLineEnd;
        if (line > connection.MaxRequestLineSize)
        {
            return Reject(requestLine: true, out reason);
        }

        var headers = head.Headers;
        var count = headers.Count;
        long total = 0;
        var hasHost = false;
        foreach (var (name, value) in headers)
        {
            hasHost |= string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase);
            total += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + HeaderLineOverhead;
        }

        if (!hasHost)
        {
            count++;
            total += "Host".Length + Encoding.UTF8.GetByteCount(connection.Host) + HeaderLineOverhead;
        }

        if (count > connection.MaxRequestHeaderCount)
        {
            reason = "Request contains too many headers.";
            return StatusCodes.Status431RequestHeaderFieldsTooLarge;
        }

        if (total > connection.MaxRequestHeadersTotalSize)
        {
            return Reject(requestLine: false, out reason);
        }

        reason = null;
        return 0;
    }

    // Kestrel's texts (CoreStrings.BadRequest_RequestLineTooLong, BadRequest_HeadersExceedMaxTotalSize).
    private static int Reject(bool requestLine, out string reason)
    {
        reason = requestLine ? "Request line too long." : "Request headers too long.";
        return requestLine ? StatusCodes.Status414UriTooLong : StatusCodes.Status431RequestHeaderFieldsTooLarge;
    }
}
