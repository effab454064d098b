using System.Net;
using System.Net.Http.Headers;

namespace WsRest.Redis.Reverse;

/// <summary>A header as it travels between nodes.</summary>
internal sealed record WireHeader(string Name, string[] Values);

/// <summary>The request head of a cross-node reverse call.</summary>
internal sealed record RequestHead(string CallerNode, string ConnectionId, string Caller, string Method, string Uri, string Version, WireHeader[] Headers, WireHeader[] ContentHeaders, bool HasBody)
{
    public static RequestHead From(HttpRequestMessage request, string callerNode, string connectionId, string caller) => new(
        callerNode,
        connectionId,
        caller,
        request.Method.Method,
        (request.RequestUri ?? throw new InvalidOperationException("A reverse call needs a request URI.")).ToString(),
        request.Version.ToString(),
        ToWire(request.Headers),
        request.Content is { } content ? ToWire(content.Headers) : [],
        request.Content is not null);

    public HttpRequestMessage ToRequest(HttpContent? content)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), new Uri(Uri, UriKind.RelativeOrAbsolute)) { Version = System.Version.Parse(Version), Content = content };
        CopyTo(Headers, request.Headers);
        if (content is not null)
        {
            CopyTo(ContentHeaders, content.Headers);
        }

        return request;
    }

    public static WireHeader[] ToWire(HttpHeaders headers) => [.. headers.NonValidated.Select(h => new WireHeader(h.Key, [.. h.Value]))];

    public static void CopyTo(WireHeader[] from, HttpHeaders to)
    {
        foreach (var header in from)
        {
            to.TryAddWithoutValidation(header.Name, header.Values);
        }
    }
}

/// <summary>The response head of a cross-node reverse call.</summary>
internal sealed record ResponseHead(int Status, string? Reason, string Version, WireHeader[] Headers, WireHeader[] ContentHeaders)
{
    public static ResponseHead From(HttpResponseMessage response) => new(
        (int)response.StatusCode,
        response.ReasonPhrase,
        response.Version.ToString(),
        RequestHead.ToWire(response.Headers),
        RequestHead.ToWire(response.Content.Headers));

    public HttpResponseMessage ToResponse(HttpRequestMessage request, HttpContent content)
    {
        var response = new HttpResponseMessage((HttpStatusCode)Status) { RequestMessage = request, ReasonPhrase = Reason, Version = System.Version.Parse(Version), Content = content };
        RequestHead.CopyTo(Headers, response.Headers);
        RequestHead.CopyTo(ContentHeaders, content.Headers);
        return response;
    }
}
