namespace WsRest.Server;

/// <summary>
/// Present on <c>HttpContext.Features</c> of every request that arrived through WsRest, absent on
/// plain HTTP requests: lets an app tell the transports apart where it must (it rarely should).
/// </summary>
public interface IWsRestConnectionFeature
{
    /// <summary>The connection the request arrived on.</summary>
    WsRestConnection Connection { get; }

    /// <summary>The request's stream id on that connection.</summary>
    ulong StreamId { get; }
}
