namespace PetStore.Demo;

/// <summary>The lines with which the demo points a person at the in-process API's web page.</summary>
public static class DemoWebPage
{
    /// <summary>Starts the line that names the web page's URL: <c>PetStore web page: http://127.0.0.1:41234/</c>.</summary>
    public const string UrlMarker = "PetStore web page";

    /// <summary>Starts the line that says <c>--serve</c> keeps the server running, followed by the URL.</summary>
    public const string ServingMarker = "Serving the PetStore web page at";
}
