using WsRest.Server.Dispatch;

namespace WsRest.Server.Connections;

/// <summary>
/// An upgrade that <see cref="ConnectionAdmission"/> let in: the app pipeline its requests will run
/// through, and its place in the connection count, given back once when the connection is over.
/// </summary>
internal sealed class AdmittedUpgrade : IDisposable
{
    private readonly ConnectionCounter _counter;
    private readonly string? _user;
    private int _released;

    public AdmittedUpgrade(IApplicationPipeline application, string subProtocol, ConnectionCounter counter, string? user)
    {
        Application = application;
        SubProtocol = subProtocol;
        _counter = counter;
        _user = user;
    }

    public IApplicationPipeline Application { get; }

    /// <summary>The subprotocol the connection will speak: the first of the client's offers the server speaks.</summary>
    public string SubProtocol { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _counter.Release(_user);
        }
    }
}
