namespace WsRest.Engine;

/// <summary>Something that limits how many of its frames wait in the writer's queue; the writer reports each one copied out.</summary>
internal interface IQueuedFrameOwner
{
    void OnQueuedFrameWritten(int length);
}
