using System.Globalization;
using System.Net;

namespace WsRest.Load;

/// <summary>
/// One loop's large request over an <see cref="HttpTransport"/>: a download read with
/// ResponseHeadersRead into a reusable 64 KiB buffer, or an upload from <see cref="LargeBodyContent"/>.
/// Either way the byte count is checked (the upload's by the server's answer).
/// </summary>
internal sealed class LargeHttpRequester(HttpTransport transport, bool upload, long bytes, string uploadPath, TimeSpan timeout) : IRequester
{
    private readonly Uri _uri = new(transport.Client.BaseAddress!, upload ? uploadPath : $"download/{bytes}");
    private readonly byte[] _buffer = new byte[LargeBody.ChunkSize];

    public async ValueTask SendAsync()
    {
        using var request = new HttpRequestMessage(upload ? HttpMethod.Post : HttpMethod.Get, _uri)
        {
            Version = transport.RequestVersion,
            VersionPolicy = transport.RequestVersionPolicy,
            Content = upload ? new LargeBodyContent(bytes) : null,
        };
        using var timeoutSource = new CancellationTokenSource(timeout);
        var cancellationToken = timeoutSource.Token;
        using var response = await transport.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"{request.Method} {_uri.AbsolutePath} answered {(int)response.StatusCode}.", null, response.StatusCode);
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            long length = 0;
            int read;
            while ((read = await body.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (upload && length > 20)
                {
                    throw new InvalidDataException($"POST {_uri.AbsolutePath}: the answer is longer than a byte count.");
                }
            }

            var received = upload ? long.Parse(_buffer.AsSpan(0, (int)length), CultureInfo.InvariantCulture) : length;
            if (received != bytes)
            {
                throw new InvalidDataException($"{request.Method} {_uri.AbsolutePath}: {received} body bytes {(upload ? "counted by the server" : "received")}, expected {bytes}.");
            }
        }
    }
}
