using System.Net;

namespace PetStore.Demo;

/// <summary>The PetStore API answered with an error status; <see cref="Problem"/> holds its problem details.</summary>
public sealed class PetStoreApiException : Exception
{
    /// <summary>Creates the exception for a response with <paramref name="statusCode"/>.</summary>
    public PetStoreApiException(HttpStatusCode statusCode, ApiProblem? problem)
        : base($"The PetStore API answered {(int)statusCode} {statusCode}: {problem?.Title ?? "(no problem details)"}")
    {
        StatusCode = statusCode;
        Problem = problem;
    }

    /// <summary>Creates the exception without details.</summary>
    public PetStoreApiException()
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    public PetStoreApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PetStoreApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The response's status code.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The response's problem details, when it had a JSON body.</summary>
    public ApiProblem? Problem { get; }
}
