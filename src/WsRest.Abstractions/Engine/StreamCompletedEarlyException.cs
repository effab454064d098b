namespace WsRest.Engine;

/// <summary>The peer finished the exchange before reading our whole body (CANCEL with NoError); the body sender stops without error.</summary>
internal sealed class StreamCompletedEarlyException : IOException
{
    public StreamCompletedEarlyException()
        : base("The peer completed the exchange before reading the whole body.")
    {
    }
}
