using WsRest.Server;

// An ordinary app with WsRest, written as a user writes it: nothing here knows it is under test.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddWsRest();

var app = builder.Build();
app.MapGet("/hello", (HttpContext context) =>
    context.Features.Get<IWsRestConnectionFeature>() is null ? "hello over HTTP" : "hello over WsRest");
app.MapPost("/echo", async (HttpContext context) =>
{
    using var reader = new StreamReader(context.Request.Body);
    return await reader.ReadToEndAsync(context.RequestAborted);
});
app.MapWsRest("/wsrest");
app.Run();

/// <summary>The entry point, public so that tests can name it in <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
