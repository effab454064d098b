using System.Text;
using Microsoft.Extensions.DependencyInjection;
using WsRest.Client;
using WsRest.Server;
using WsRest.Tests.Infrastructure;

namespace WsRest.Tests.PubSub;

/// <summary>
/// Issue 18, item 1: JSON published without options is read back whole without options — both sides
/// use the web defaults (camelCase out, case-insensitive in), as System.Net.Http.Json does.
/// </summary>
[TestFixture(WsRestEncoding.Binary)]
[TestFixture(WsRestEncoding.Json)]
public class PubSubJsonDefaultsTests(WsRestEncoding encoding)
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Test]
    public async Task APascalCaseRecordRoundTripsWithoutOptions()
    {
        await using var host = await TestHost.StartAsync(encoding, _ => { }, o => o.PubSub.AuthorizePublish = (_, _) => true);
        var client = await host.ConnectAsync();
        var publisher = host.App.Services.GetRequiredService<IWsRestPublisher>();
        var received = new TaskCompletionSource<(OrderShipped? Value, string Json)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var second = new TaskCompletionSource<OrderShipped?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await client.SubscribeAsync("orders/shipped", (e, _) =>
        {
            if (Interlocked.Increment(ref count) == 1)
            {
                received.TrySetResult((e.GetFromJson<OrderShipped>(), Encoding.UTF8.GetString(e.Data.Span)));
            }
            else
            {
                second.TrySetResult(e.GetFromJson<OrderShipped>());
            }

            return ValueTask.CompletedTask;
        });

        var sent = new OrderShipped(42, "Rex's bowl", 19.5m, ["express", "gift"]);
        await publisher.PublishAsJsonAsync("orders/shipped", sent);
        var (value, json) = await received.Task.WaitAsync(Generous);

        Assert.That(json, Does.Contain("\"orderId\":42"), "the server writes camelCase (web defaults)");
        Assert.That(value, Is.Not.Null);
        Assert.That((value!.OrderId, value.ItemName, value.Total), Is.EqualTo((42, "Rex's bowl", 19.5m)), "every property read back, none left empty");
        Assert.That(value.Tags, Is.EqualTo(sent.Tags));

        // A client's publish without options uses the same defaults.
        await client.PublishAsJsonAsync("orders/shipped", sent with { OrderId = 43 });
        var fromClient = await second.Task.WaitAsync(Generous);
        Assert.That(fromClient?.OrderId, Is.EqualTo(43));
        Assert.That(fromClient?.ItemName, Is.EqualTo("Rex's bowl"));
    }

    public sealed record OrderShipped(int OrderId, string ItemName, decimal Total, string[] Tags);
}
