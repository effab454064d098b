namespace PetStore.Api;

/// <summary>Runs the PetStore API standalone: plain HTTP and WsRest on <see cref="PetStoreApp.DefaultUrl"/> unless <c>--urls</c> or <c>ASPNETCORE_URLS</c> says otherwise.</summary>
internal static class Program
{
    private static async Task Main(string[] args)
    {
        var builder = PetStoreApp.CreateBuilder(args);
        builder.AddPetStoreTelemetry(); // OpenTelemetry, only when an OTLP endpoint is configured
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(PetStoreApp.DefaultUrl);
        }

        await using var app = PetStoreApp.Build(builder);
        await app.RunAsync();
    }
}
