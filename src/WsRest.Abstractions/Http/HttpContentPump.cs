using System.Net.Http;
using WsRest.Engine;

namespace WsRest.Http;

/// <summary>Streams an <see cref="HttpContent"/> as DATA frames after its head went out; a failure resets the stream.</summary>
internal static class HttpContentPump
{
    public static async Task PumpAsync(WsRestStream stream, HttpContent content)
    {
        try
        {
            var target = new DataFrameWriteStream(stream);
            await content.CopyToAsync(target, stream.Aborted).ConfigureAwait(false);
            if (content.Headers.ContentLength is { } declared && declared != target.BytesWritten)
            {
                throw new HttpRequestException(HttpRequestError.Unknown, $"The content declared Content-Length {declared} but produced {target.BytesWritten} bytes.");
            }

            await stream.CompleteSendAsync().ConfigureAwait(false);
        }
        catch (Exception) when (stream.IsResetOrRemoved)
        {
            // The exchange already ended (peer reset, early response, cancellation): nothing to send.
        }
        catch (Exception ex)
        {
            // The body could not be produced: the request fails with this reason.
            stream.Reset(WsRestErrorCode.Cancel, new HttpRequestException(HttpRequestError.Unknown, $"Sending the body failed: {ex.Message}", ex));
        }
    }
}
