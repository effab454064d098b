using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace WsRest.Tests.Differential;

/// <summary>One request sent over both transports.</summary>
public sealed class DifferentialCase
{
    public required string Name { get; init; }

    /// <summary>
    /// Builds a fresh request (a request and its content are sent once, so each transport gets its own),
    /// given the server's base address (most cases use a relative URI and ignore it).
    /// </summary>
    public required Func<Uri, HttpRequestMessage> CreateRequest { get; init; }

    /// <summary>
    /// The status the plain HTTP response must have: guards against a case that compares two equal
    /// but unintended responses (say, two 404s from a mistyped route).
    /// </summary>
    public required HttpStatusCode ExpectedStatus { get; init; }

    /// <summary>More checks on the plain HTTP response, proving the case exercises what its name says.</summary>
    public Action<ResponseSnapshot>? CheckHttp { get; init; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The differential cases: every method, query and header shape, body framing and app layer.</summary>
public static class DifferentialCases
{
    /// <summary>3 MiB: several DATA frames and window updates over WsRest.</summary>
    public const int LargeSize = 3 * 1024 * 1024;

    private const string Json = "application/json";

    private static readonly Lazy<byte[]> LargePayload = new(() => DifferentialApp.CreatePayload(LargeSize, seed: 11));

    /// <summary>All cases, for <c>[TestCaseSource]</c>.</summary>
    public static IEnumerable<TestCaseData> TestCases() =>
        All().Select(c => new TestCaseData(c).SetArgDisplayNames(c.Name));

    /// <summary>All cases.</summary>
    public static IReadOnlyList<DifferentialCase> All() =>
    [
        .. MinimalApiCases(),
        .. ControllerCases(),
        .. PipelineCases(),
        .. EchoCases(),
        .. BodyEchoCases(),
    ];

    private static IEnumerable<DifferentialCase> MinimalApiCases()
    {
        yield return Case("MinimalGetRouteValuesAndQueryArray", HttpStatusCode.OK, () => Get("/min/items/7/widget?tags=a&tags=b%20c&tags=&page=2"),
            http => Assert.That(http.Text, Does.Contain("\"tags\":[\"a\",\"b c\",\"\"]")));
        yield return Case("MinimalGetEscapedRouteValue", HttpStatusCode.OK, () => Get("/min/items/8/caf%C3%A9%20%26%20cr%C3%A8me?tags=%E2%9C%93&tags=%2B%25"),
            http => Assert.That(http.Text, Does.Contain("café & crème")));
        yield return Case("MinimalGetEncodedSlashInRouteValue", HttpStatusCode.OK, () => Get("/min/items/9/a%2Fb"));
        yield return Case("MinimalPostJsonKnownLength", HttpStatusCode.Created, () => Send(HttpMethod.Post, "/min/items", JsonText("""{"id":12,"name":"  bolt ","quantity":3,"tags":["x","y"]}""")),
            http => Assert.That(http.Header("Location"), Is.EqualTo("/min/items/12")));
        yield return Case("MinimalPostJsonUnknownLength", HttpStatusCode.Created, () => Send(HttpMethod.Post, "/min/items", JsonContent.Create(new { id = 13, name = "nut", quantity = 9 })),
            http => Assert.That(http.Header("Location"), Is.EqualTo("/min/items/13")));
        yield return Case("MinimalPostValidationProblem", HttpStatusCode.BadRequest, () => Send(HttpMethod.Post, "/min/items", JsonText("""{"id":1,"name":"","quantity":0}""")),
            http => Assert.That(http.Text, Does.Contain("\"errors\"").And.Contain("traceId")));
        yield return Case("MinimalPostMalformedJson", HttpStatusCode.BadRequest, () => Send(HttpMethod.Post, "/min/items", JsonText("{\"id\":")));
        yield return Case("MinimalPutJson", HttpStatusCode.OK, () => Send(HttpMethod.Put, "/min/items/5", JsonText("""{"id":5,"name":"washer","quantity":100}""")));
        yield return Case("MinimalPatchTextKnownLength", HttpStatusCode.OK, () => Send(HttpMethod.Patch, "/min/items/6", new StringContent("rename → spring", Encoding.UTF8, "text/plain")));
        yield return Case("MinimalPatchTextUnknownLength", HttpStatusCode.OK, () => Send(HttpMethod.Patch, "/min/items/6", new UnknownLengthContent(Encoding.UTF8.GetBytes("rename in pieces"), pieceSize: 3, "text/plain")),
            http => Assert.That(http.Text, Does.Contain("rename in pieces")));
        yield return Case("MinimalDeleteNoContent", HttpStatusCode.NoContent, () => Send(HttpMethod.Delete, "/min/items/3"));
        yield return Case("MinimalDeleteNotFoundStatusCodePage", HttpStatusCode.NotFound, () => Send(HttpMethod.Delete, "/min/items/404"));
        yield return Case("MinimalHeadWithContentLength", HttpStatusCode.OK, () => Send(HttpMethod.Head, "/min/items/4"),
            http => Assert.That(http.Header("Content-Length"), Is.EqualTo("27")));
        yield return Case("MinimalHeadOnGetOnlyEndpointIsMethodNotAllowed", HttpStatusCode.MethodNotAllowed, () => Send(HttpMethod.Head, "/min/text"));
        yield return Case("MinimalPostOnGetOnlyEndpointIsMethodNotAllowed", HttpStatusCode.MethodNotAllowed, () => Send(HttpMethod.Post, "/min/text", new StringContent("x")));
        yield return Case("MinimalOptionsEmptyOk", HttpStatusCode.OK, () => Send(HttpMethod.Options, "/min/items"),
            http => Assert.That(http.Header("Allow"), Does.Contain("PATCH")));
        yield return Case("MinimalCustomMethodPurge", HttpStatusCode.OK, () => Send(new HttpMethod("PURGE"), "/min/purge/cache%20key"),
            http => Assert.That(http.Text, Is.EqualTo("purged cache key")));
        yield return Case("MinimalMultiValuedResponseHeaders", HttpStatusCode.OK, () => Get("/min/headers"),
            http => Assert.That(http.HeaderValues("Set-Cookie"), Has.Count.EqualTo(2)));
        yield return Case("MinimalResponseHeaderWithEmptyValue", HttpStatusCode.OK, () => Get("/min/empty-header"),
            http => Assert.That(http.HeaderValues("X-Empty"), Is.EqualTo(new[] { string.Empty })));
        yield return Case("MinimalConditionalGetNotModified", HttpStatusCode.NotModified, () => Get("/min/etag", r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"v7\""))));
        yield return Case("MinimalConditionalGetModified", HttpStatusCode.OK, () => Get("/min/etag", r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"v6\""))));
        yield return Case("MinimalStreamedResponseSeveralFlushes", HttpStatusCode.OK, () => Get("/min/stream?chunks=6&size=1000"),
            http => Assert.That(http.Chunked, Is.True));
        yield return Case("MinimalStreamedResponseLargeChunks", HttpStatusCode.OK, () => Get("/min/stream?chunks=4&size=300000"),
            http => Assert.That(http.Body, Has.Length.EqualTo(1_200_000)));
        yield return Case("MinimalPipeWriterResponse", HttpStatusCode.OK, () => Get("/min/pipe-stream"));
        yield return Case("MinimalLargeResponseKnownLength", HttpStatusCode.OK, () => Get($"/min/bytes?size={LargeSize}&known=true"),
            http => Assert.That(http.Header("Content-Length"), Is.EqualTo(LargeSize.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        yield return Case("MinimalLargeResponseUnknownLength", HttpStatusCode.OK, () => Get($"/min/bytes?size={LargeSize}&known=false"),
            http => Assert.That(http.Chunked, Is.True));
        yield return Case("MinimalBytesResult", HttpStatusCode.OK, () => Get("/min/bytes-result?size=100000"));
        yield return Case("MinimalUtf8Text", HttpStatusCode.OK, () => Get("/min/text"));
        yield return Case("MinimalRedirect", HttpStatusCode.Redirect, () => Get("/min/redirect"));
        yield return Case("MinimalProblemResult", HttpStatusCode.Conflict, () => Get("/min/problem"),
            http => Assert.That(http.Text, Does.Contain("lockedBy")));
    }

    private static IEnumerable<DifferentialCase> ControllerCases()
    {
        yield return Case("ControllerGetRouteQueryHeaderBinding", HttpStatusCode.OK, () => Get("/diff/api/items/5?verbose=true&tag=x&tag=y%2Bz&tag=%C3%BC", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Request-Tag", "from header");
            r.Headers.TryAddWithoutValidation("Accept-Language", "de-CH");
        }), http => Assert.That(http.Text, Does.Contain("\"requestTag\":\"from header\"").And.Contain("y+z")));
        yield return Case("ControllerHeaderBindingWithTwoValues", HttpStatusCode.OK, () => Get("/diff/api/items/6", r => r.Headers.TryAddWithoutValidation("X-Request-Tag", ["red", "green"])),
            http => Assert.That(http.Text, Does.Contain("\"requestTag\":\"red, green\"")));
        yield return Case("ControllerGetNotFoundProblem", HttpStatusCode.NotFound, () => Get("/diff/api/items/404"));
        yield return Case("ControllerGetRouteConstraintMismatch", HttpStatusCode.NotFound, () => Get("/diff/api/items/abc"));
        yield return Case("ControllerPostCreatedAtAction", HttpStatusCode.Created, () => Send(HttpMethod.Post, "/diff/api/items", JsonText("""{"name":"gear","quantity":2,"tags":["a"]}""")),
            http => Assert.That(http.Header("Location"), Does.EndWith("/diff/api/items/42")));
        yield return Case("ControllerPostUnknownLengthJson", HttpStatusCode.Created, () => Send(HttpMethod.Post, "/diff/api/items", JsonContent.Create(new { name = "cog", quantity = 5 })));
        yield return Case("ControllerPostValidationProblem", HttpStatusCode.BadRequest, () => Send(HttpMethod.Post, "/diff/api/items", JsonText("""{"name":"a name that is far too long","quantity":500}""")),
            http => Assert.That(http.Text, Does.Contain("\"errors\"").And.Contain("traceId")));
        yield return Case("ControllerPostMalformedJson", HttpStatusCode.BadRequest, () => Send(HttpMethod.Post, "/diff/api/items", JsonText("{\"name\": tru")));
        yield return Case("ControllerPostUnsupportedMediaType", HttpStatusCode.UnsupportedMediaType, () => Send(HttpMethod.Post, "/diff/api/items", new StringContent("name=x", Encoding.UTF8, "text/plain")));
        yield return Case("ControllerPutRouteBodyHeaderQuery", HttpStatusCode.OK, () => Send(HttpMethod.Put, "/diff/api/items/77?reason=fix%20%26%20ship", JsonText("""{"name":"bracket","quantity":1}"""),
            r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"etag-1\""))), http => Assert.That(http.Text, Does.Contain("fix & ship")));
        yield return Case("ControllerFormUrlEncoded", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/diff/api/items/form", new FormUrlEncodedContent(
        [
            new("name", "form item"), new("quantity", "4"), new("tags", "t1"), new("tags", "t2 & t3"),
        ])), http => Assert.That(http.Text, Does.Contain("\"t2 & t3\"")));
        yield return Case("ControllerFormMultipart", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/diff/api/items/form", Multipart()),
            http => Assert.That(http.Text, Does.Contain("\"fileLength\":5000")));
        yield return Case("ControllerAuthorizeWithoutCredentials", HttpStatusCode.Unauthorized, () => Get("/diff/api/items/me"));
        yield return Case("ControllerAuthorizeWithCredentials", HttpStatusCode.OK, () => Get("/diff/api/items/me", r => r.Headers.Add(DifferentialApp.UserHeader, "carol")),
            http => Assert.That(http.Text, Does.Contain("carol")));
        yield return Case("ControllerThrowsProblemDetails", HttpStatusCode.InternalServerError, () => Get("/diff/api/items/throw"));
    }

    private static IEnumerable<DifferentialCase> PipelineCases()
    {
        yield return Case("ExceptionHandlerProblemDetails", HttpStatusCode.InternalServerError, () => Get("/min/throw"),
            http => Assert.That(http.Header("Content-Type"), Is.EqualTo("application/problem+json")));
        yield return Case("StatusCodePagesForEmpty404", HttpStatusCode.NotFound, () => Get("/min/status/404"));
        yield return Case("StatusCodePagesForEmpty503", HttpStatusCode.ServiceUnavailable, () => Get("/min/status/503"));
        yield return Case("UnknownRoute404", HttpStatusCode.NotFound, () => Get("/no/such/route?x=1"));
        yield return Case("MiddlewareShortCircuit", (HttpStatusCode)418,
            () => Get("/short-circuit/deeper%20path"), http => Assert.That(http.Header(DifferentialApp.MiddlewareHeader), Is.EqualTo("custom-middleware")));
        yield return Case("AuthorizationWithoutCredentials", HttpStatusCode.Unauthorized, () => Get("/min/me"),
            http => Assert.That(http.HeaderValues("WWW-Authenticate"), Has.Count.EqualTo(2)));
        yield return Case("AuthorizationWithCredentials", HttpStatusCode.OK, () => Get("/min/me", r => r.Headers.Add(DifferentialApp.UserHeader, "alice")),
            http => Assert.That(http.Text, Is.EqualTo("you are alice")));
        yield return Case("AuthorizationPolicyForbidden", HttpStatusCode.Forbidden, () => Get("/min/admin", r => r.Headers.Add(DifferentialApp.UserHeader, "alice")));
        yield return Case("AuthorizationPolicySatisfied", HttpStatusCode.OK, () => Get("/min/admin", r => r.Headers.Add(DifferentialApp.UserHeader, "admin")));
    }

    private static IEnumerable<DifferentialCase> EchoCases()
    {
        yield return Case("EchoEscapedQueryAndRepeatedKeys", HttpStatusCode.OK, () => Get("/echo/q?a=1&a=2&b=%20x%2By&c=&d&e=%E2%82%AC&f=a%26b%3Dc&a=3&plus=a+b&%C3%A9=%C3%A9"),
            http => Assert.That(http.Text, Does.Contain("\"values\":[\"1\",\"2\",\"3\"]")));
        yield return Case("EchoEscapedPath", HttpStatusCode.OK, () => Get("/echo/a%20b/c%2Fd/%C3%A9/%25?x=%2F"));
        yield return Case("EchoEncodedDotSegments", HttpStatusCode.OK, () => Get("/echo/a/%2E%2E/b/%2e/c"));
        yield return Case("EchoRawEncodedDotSegments", HttpStatusCode.OK, baseAddress => Raw(baseAddress, "/echo/a/%2E%2E/b/%2e/c?q=%2E%2E"),
            http => Assert.That(http.Text, Does.Contain("\"path\":\"/echo/b/c\"")));
        yield return Case("EchoRawDotSegments", HttpStatusCode.OK, baseAddress => Raw(baseAddress, "/echo/a/b/../../c/./d"),
            http => Assert.That(http.Text, Does.Contain("\"path\":\"/echo/c/d\"")));
        yield return Case("EchoRawDoubleSlashAndUnreservedEscapes", HttpStatusCode.OK, baseAddress => Raw(baseAddress, "/echo//x/%7Euser/%41?%7E=%41"));
        yield return Case("EchoLargeRequestHeader", HttpStatusCode.OK, () => Get("/echo/large-header", r => r.Headers.TryAddWithoutValidation("X-Large", new string('h', 10_000))));
        yield return Case("EchoRequestHeaderWithEmptyValue", HttpStatusCode.OK, () => Get("/echo/headers", r => r.Headers.TryAddWithoutValidation("X-Empty", string.Empty)),
            http => Assert.That(http.Text, Does.Contain("\"x-empty\"")));
        yield return Case("EchoSingleValuedRequestHeaders", HttpStatusCode.OK, () => Get("/echo/headers", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Single", "one value, with a comma");
            r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-123");
            r.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            r.Headers.TryAddWithoutValidation("User-Agent", "DifferentialTests/1.0 (raw)");
        }), http => Assert.That(http.Text, Does.Contain("token-123")));
        yield return Case("EchoCustomRequestHeaderWithTwoValues", HttpStatusCode.OK, () => Get("/echo/headers", r => r.Headers.TryAddWithoutValidation("X-Multi", ["first", "second"])));
        yield return Case("EchoAcceptWithTwoValues", HttpStatusCode.OK, () => Get("/echo/headers", r =>
        {
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Json));
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain", 0.5));
        }));
        yield return Case("EchoParsedUserAgent", HttpStatusCode.OK, () => Get("/echo/headers", r =>
        {
            r.Headers.UserAgent.Add(new ProductInfoHeaderValue("DifferentialTests", "1.0"));
            r.Headers.UserAgent.Add(new ProductInfoHeaderValue("(comment)"));
        }));
        yield return Case("EchoCookieWithTwoValues", HttpStatusCode.OK, () => Get("/echo/headers", r => r.Headers.TryAddWithoutValidation("Cookie", ["a=1", "b=2"])));
        yield return Case("EchoPostKnownLengthText", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/body?kind=text", new StringContent("hello body ✓", Encoding.UTF8, "text/plain")),
            http => Assert.That(http.Text, Does.Contain("\"bodyText\":\"hello body")));
        yield return Case("EchoPostEmptyContent", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/empty", new ByteArrayContent([])),
            http => Assert.That(http.Text, Does.Contain("\"contentLength\":0")));
        yield return Case("EchoPostWithoutContent", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/none"));
        yield return Case("EchoPutWithoutContent", HttpStatusCode.OK, () => Send(HttpMethod.Put, "/echo/none"));
        yield return Case("EchoPutUnknownLengthContent", HttpStatusCode.OK, () => Send(HttpMethod.Put, "/echo/unknown", new UnknownLengthContent(DifferentialApp.CreatePayload(10_000), pieceSize: 1000)),
            http => Assert.That(http.Text, Does.Contain("\"contentLength\":null").And.Contain("\"bodyLength\":10000")));
        yield return Case("EchoPostNonSeekableStreamContent", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/stream", NonSeekable(DifferentialApp.CreatePayload(25_000, seed: 1), "application/octet-stream")),
            http => Assert.That(http.Text, Does.Contain("\"contentLength\":null").And.Contain("\"bodyLength\":25000")));
        yield return Case("EchoPostMultiValuedContentHeaders", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/content-headers", ContentWithLanguages()));
        yield return Case("EchoPostFormUrlEncoded", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/form", new FormUrlEncodedContent([new("a", "1 2"), new("a", "3&4"), new("é", "ü")])),
            http => Assert.That(http.Text, Does.Contain("\"hasFormContentType\":true")));
        yield return Case("EchoDeleteWithBody", HttpStatusCode.OK, () => Send(HttpMethod.Delete, "/echo/delete", JsonText("""{"reason":"cleanup"}""")));
        yield return Case("EchoGet", HttpStatusCode.OK, () => Get("/echo/get"));
        yield return Case("EchoGetWithBody", HttpStatusCode.OK, () => Send(HttpMethod.Get, "/echo/get-body", new StringContent("a GET body")),
            http => Assert.That(http.Text, Does.Contain("\"bodyText\":\"a GET body\"")));
        yield return Case("EchoHead", HttpStatusCode.OK, () => Send(HttpMethod.Head, "/echo/head"),
            http => Assert.That(http.Body, Is.Empty));
        yield return Case("EchoOptions", HttpStatusCode.OK, () => Send(HttpMethod.Options, "/echo/options"));
        yield return Case("EchoTrace", HttpStatusCode.OK, () => Send(HttpMethod.Trace, "/echo/trace"));
        yield return Case("EchoCustomMethodWithBody", HttpStatusCode.OK, () => Send(new HttpMethod("REPORT"), "/echo/report", new StringContent("<report/>", Encoding.UTF8, "application/xml")),
            http => Assert.That(http.Text, Does.Contain("\"method\":\"REPORT\"")));
        yield return Case("EchoPatchJson", HttpStatusCode.OK, () => Send(HttpMethod.Patch, "/echo/patch", JsonText("""[{"op":"replace","path":"/a","value":1}]""")));
        yield return Case("EchoAuthenticatedUser", HttpStatusCode.OK, () => Get("/echo/user", r => r.Headers.Add(DifferentialApp.UserHeader, "dave")),
            http => Assert.That(http.Text, Does.Contain("\"user\":\"dave\"")));
        yield return Case("EchoExpectContinue", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo/expect", new StringContent("after 100-continue"), r => r.Headers.ExpectContinue = true));
    }

    private static IEnumerable<DifferentialCase> BodyEchoCases()
    {
        yield return Case("BodyEchoLargeKnownLength", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo-body", Bytes(LargePayload.Value)),
            http => Assert.That(http.Body, Has.Length.EqualTo(LargeSize)));
        yield return Case("BodyEchoLargeUnknownLength", HttpStatusCode.OK, () => Send(HttpMethod.Put, "/echo-body", new UnknownLengthContent(LargePayload.Value, pieceSize: 64 * 1024)),
            http => Assert.That(http.Chunked, Is.True));
        yield return Case("BodyEchoLargeNonSeekableStream", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo-body", NonSeekable(LargePayload.Value, "application/octet-stream")),
            http => Assert.That(http.Body, Has.Length.EqualTo(LargeSize)));
        yield return Case("BodyEchoSmallUnknownLength", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo-body", new UnknownLengthContent(Encoding.UTF8.GetBytes("tiny"), pieceSize: 1, "text/plain")));
        yield return Case("BodyEchoEmptyKnownLength", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo-body", Bytes([])),
            http => Assert.That(http.Header("Content-Length"), Is.EqualTo("0")));
        yield return Case("BodyEchoEmptyUnknownLength", HttpStatusCode.OK, () => Send(HttpMethod.Post, "/echo-body", new UnknownLengthContent([], pieceSize: 1)));
    }

    private static DifferentialCase Case(string name, HttpStatusCode expected, Func<HttpRequestMessage> request, Action<ResponseSnapshot>? check = null) =>
        new() { Name = name, ExpectedStatus = expected, CreateRequest = _ => request(), CheckHttp = check };

    private static DifferentialCase Case(string name, HttpStatusCode expected, Func<Uri, HttpRequestMessage> request, Action<ResponseSnapshot>? check = null) =>
        new() { Name = name, ExpectedStatus = expected, CreateRequest = request, CheckHttp = check };

    /// <summary>An absolute request URI whose path and query are sent exactly as written (System.Uri would otherwise unescape %2E and remove dot segments).</summary>
    private static HttpRequestMessage Raw(Uri baseAddress, string pathAndQuery) =>
        new(HttpMethod.Get, new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));

    private static HttpRequestMessage Get(string uri, Action<HttpRequestMessage>? configure = null) => Send(HttpMethod.Get, uri, content: null, configure);

    private static HttpRequestMessage Send(HttpMethod method, string uri, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, new Uri(uri, UriKind.Relative)) { Content = content };
        configure?.Invoke(request);
        return request;
    }

    private static StringContent JsonText(string json) => new(json, Encoding.UTF8, Json);

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private static StreamContent NonSeekable(byte[] bytes, string mediaType)
    {
#pragma warning disable CA2000 // The StreamContent owns and disposes the stream.
        var content = new StreamContent(new NonSeekableStream(bytes));
#pragma warning restore CA2000
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static StringContent ContentWithLanguages()
    {
        var content = new StringContent("bonjour / hallo", Encoding.UTF8, "text/plain");
        content.Headers.ContentLanguage.Add("fr");
        content.Headers.ContentLanguage.Add("de");
        content.Headers.TryAddWithoutValidation("Content-Disposition", "inline; filename=\"greeting.txt\"");
        return content;
    }

    private static MultipartFormDataContent Multipart()
    {
        // A fixed boundary: both transports must carry the exact same bytes.
        var content = new MultipartFormDataContent("differential-boundary-0123456789");
        content.Add(new StringContent("multipart item"), "name");
        content.Add(new StringContent("8"), "quantity");
        content.Add(new StringContent("m1"), "tags");
        content.Add(new StringContent("m2"), "tags");
        var file = new ByteArrayContent(DifferentialApp.CreatePayload(5000, seed: 2));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "file", "data.bin");
        return content;
    }
}
