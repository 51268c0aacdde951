using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Procurement.Contracts.Grains;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The alliance's payment term reads back as it was set, through the grain, the API and the
/// purchasing page; the default (<c>Orders:PaymentDays</c>, 30) until the alliance sets one, and
/// one alliance's term is not another's.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class PaymentTermTests(JourneyFixture portal)
{
    [Fact]
    public async Task The_term_reads_as_the_default_until_set_then_as_set_and_only_for_that_alliance()
    {
        var grains = portal.Services.GetRequiredService<IGrainFactory>();
        var south = grains.GetGrain<IAllianceGrain>(DemoSeeder.SouthAllianceId);
        var north = grains.GetGrain<IAllianceGrain>(DemoSeeder.AllianceId);
        using var client = await portal.SignedInAsync("alliance.south");
        try
        {
            Assert.Equal(30, await south.GetPaymentTermAsync());
            Assert.Equal(30, (await PortalRound.OkAsync(client.GetAsync("/api/alliance/payment-term"))).GetProperty("days").GetInt32());

            Assert.Equal(HttpStatusCode.NoContent, (await client.PutAsJsonAsync("/api/alliance/payment-term", new { days = 45 })).StatusCode);
            Assert.Equal(45, await south.GetPaymentTermAsync());
            Assert.Equal(45, (await PortalRound.OkAsync(client.GetAsync("/api/alliance/payment-term"))).GetProperty("days").GetInt32());
            Assert.Equal(30, await north.GetPaymentTermAsync());

            var page = await client.GetStringAsync("/Alliance/Purchasing");
            Assert.Contains("Hospitals have 45 days to pay after acceptance.", page, StringComparison.Ordinal);
            Assert.Contains("value=\"45\"", page, StringComparison.Ordinal);

            // Set again through the grain: the API reads the change.
            await south.SetPaymentTermAsync(60);
            Assert.Equal(60, (await PortalRound.OkAsync(client.GetAsync("/api/alliance/payment-term"))).GetProperty("days").GetInt32());
        }
        finally
        {
            // The shared demo keeps the default's number of days for any test after this one.
            await south.SetPaymentTermAsync(30);
        }
    }
}
