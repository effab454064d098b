namespace PetStore.Demo;

/// <summary>Checks of the demo's expectations; each failure is a <see cref="DemoFailedException"/>.</summary>
internal static class DemoExpect
{
    /// <summary>Fails with <paramref name="message"/> unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new DemoFailedException(message);
        }
    }
}
