namespace PetStore.Demo;

/// <summary>A step of the scripted demo session did not behave as expected.</summary>
public sealed class DemoFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DemoFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DemoFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public DemoFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
