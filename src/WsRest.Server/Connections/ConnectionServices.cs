using Microsoft.Extensions.Logging;
using WsRest.Server.PubSub;

namespace WsRest.Server.Connections;

/// <summary>What every <see cref="ConnectionSession"/> of the server shares.</summary>
internal sealed record ConnectionServices(WsRestServerOptions Options, WsRestConnectionRegistry Registry, IWsRestEventBus EventBus, ILogger Logger, Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits KestrelLimits, WsRest.Diagnostics.WsRestMetrics Metrics, Func<string, System.Text.Encoding?>? ResponseHeaderEncodingSelector = null);
