using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;

namespace WsRest.Client.Serving;

/// <summary>The responses the endpoint table writes itself: JSON results and the plain errors (400, 404, 405).</summary>
internal static class EndpointResults
{
    public static HttpResponseMessage Json<T>(T value, JsonSerializerOptions options)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    /// <summary>Reads the body as <typeparamref name="T"/>; a missing, non-JSON or malformed body is a 400 (as a minimal API answers it).</summary>
    public static async Task<(bool Ok, T? Value, HttpResponseMessage? Problem)> ReadJsonAsync<T>(HttpRequestMessage request, JsonSerializerOptions options, CancellationToken cancellationToken)
    {
        if (request.Content is not { } content || content.Headers.ContentType?.MediaType is not { } mediaType
            || !(mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return (false, default, Text(HttpStatusCode.UnsupportedMediaType, "Expected a JSON body (Content-Type: application/json)."));
        }

        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var value = await JsonSerializer.DeserializeAsync<T>(stream, options, cancellationToken).ConfigureAwait(false);
                return value is null
                    ? (false, default, Text(HttpStatusCode.BadRequest, "The JSON body is null."))
                    : (true, value, null);
            }
        }
        catch (JsonException ex)
        {
            return (false, default, Text(HttpStatusCode.BadRequest, $"The JSON body could not be read as {typeof(T).Name}: {ex.Message}"));
        }
    }

    public static HttpResponseMessage Text(HttpStatusCode status, string text)
        => new(status) { Content = new StringContent(text) };
}
