namespace WsRest.Engine;

/// <summary>Something that limits how many of its frames wait in the writer's queue; the writer reports each one copied out.</summary>
internal interface IQueuedFrameOwner
{
    /// <summary>
    /// Whether this owner's waiting frames count toward pausing the read loop (<see cref="WriteBacklog.ShouldPauseReading"/>).
    /// True for what the remote's own frames provoke (response bodies); false for a producer the remote's
    /// reads do not drive, which bounds its frames itself (pub/sub deliveries): pausing the read loop for it
    /// would only stop the remote's next frames, such as the UNSUBSCRIBE that would end the deliveries.
    /// </summary>
    bool PausesReading { get; }

    void OnQueuedFrameWritten(int length);
}
