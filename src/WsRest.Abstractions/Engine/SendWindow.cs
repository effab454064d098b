namespace WsRest.Engine;

/// <summary>
/// Credit the peer granted for sending body bytes (docs/protocol.md §7): one per stream and one per
/// connection. Senders take what is available or wait for a WINDOW frame.
/// </summary>
internal sealed class SendWindow(int initial) : ByteCredit(initial);
