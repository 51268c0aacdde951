using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Procurement.BidPortal.Security;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// A JSON write is held to <c>Portal:MaxJsonBodyBytes</c> (1 MiB by default), far below the server's
/// own 30 MB: the same order padded with white space to one byte over the limit is refused with
/// <c>413 REQUEST_TOO_LARGE</c> and not placed, whether it declares its length or comes in chunks;
/// padded to exactly the limit it is placed. Over the silo program on a real Kestrel port, after the demo seed.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class JsonBodyLimitTests(JourneyFixture portal)
{
    private static readonly long Limit = new PortalLimits().MaxJsonBodyBytes;

    [Fact]
    public async Task An_order_one_byte_over_the_limit_is_refused_with_413_and_not_placed_one_at_the_limit_is_placed()
    {
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var tag = Guid.NewGuid().ToString("N")[..8];

        // A client sending a large body asks first (Expect: 100-continue): the refusal comes before the
        // body is sent, so no byte of it is read and the client is not cut off mid-send.
        using var declared = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = PaddedOrder($"json-over-{tag}", Limit + 1) };
        declared.Headers.ExpectContinue = true;
        var over = await hospital.SendAsync(declared);
        var problem = await PortalHardeningTests.AssertProblemAsync(over, HttpStatusCode.RequestEntityTooLarge, "REQUEST_TOO_LARGE");
        Assert.Contains("1,048,576 bytes", problem.GetProperty("detail").GetString());
        Assert.Contains("Portal:MaxJsonBodyBytes", problem.GetProperty("detail").GetString());

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = PaddedOrder($"json-chunked-{tag}", Limit + 1) };
        chunked.Headers.TransferEncodingChunked = true;
        await PortalHardeningTests.AssertProblemAsync(await hospital.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge, "REQUEST_TOO_LARGE");

        var placed = await PortalRound.OkAsync(hospital.PostAsync("/api/orders", PaddedOrder($"json-at-limit-{tag}", Limit)));
        Assert.Equal($"json-at-limit-{tag}", placed.GetProperty("requestId").GetString());

        var orders = await PortalRound.OkAsync(hospital.GetAsync("/api/orders?limit=20"));
        var requestIds = orders.EnumerateArray().Select(o => o.GetProperty("requestId").GetString()).ToList();
        Assert.Contains($"json-at-limit-{tag}", requestIds);
        Assert.DoesNotContain($"json-over-{tag}", requestIds);
        Assert.DoesNotContain($"json-chunked-{tag}", requestIds);
    }

    [Fact]
    public async Task A_list_far_longer_than_the_items_allowed_sent_in_chunks_is_refused_at_the_limit()
    {
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        // About 12,400 decisions (at most 500 are taken): just past the limit, so the few bytes left unsent
        // when the server stops reading sit in the socket's buffers, not cut off mid-send.
        var decisions = Enumerable.Range(0, (int)(Limit / 85) + 100).Select(i => new { requestId = $"decide-{i:00000}", deliveryId = Guid.NewGuid(), accept = true }).ToList();
        Assert.True(JsonSerializer.SerializeToUtf8Bytes(decisions).Length > Limit);

        var refused = await hospital.PostAsJsonAsync("/api/deliveries/decisions", decisions);

        await PortalHardeningTests.AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge, "REQUEST_TOO_LARGE");
    }

    [Fact]
    public void The_limit_must_be_positive()
    {
        var result = new PortalLimitsValidator().Validate(null, new PortalLimits { MaxJsonBodyBytes = 0 });
        Assert.True(result.Failed);
        Assert.Contains("Portal:MaxJsonBodyBytes must be positive, not 0.", result.Failures!);
    }

    /// <summary>One valid order line, its JSON padded with spaces (still valid JSON) to exactly <paramref name="bytes"/> bytes.</summary>
    private static ByteArrayContent PaddedOrder(string requestId, long bytes)
    {
        var json = JsonSerializer.Serialize(new
        {
            requestId,
            lines = new[] { new { productId = "ATORVASTATIN-TAB", quantity = 10L, deliveryPoint = "Ward J", urgency = "Normal" } },
        });
        var padded = json[..^1] + new string(' ', checked((int)(bytes - json.Length))) + "}";
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes(padded));
        Assert.Equal(bytes, body.Headers.ContentLength);
        body.Headers.ContentType = new("application/json");
        return body;
    }
}
