using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// Truthful reporting, the hospital's side, on its report page: beside each product of the batch in
/// reporting, the units it accepted on the platform over the two years before this month, as the
/// API gives them (the demo hospital bought in the earlier round), and a dash for a product it never
/// bought there.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed partial class ReportHistoryPageTests(JourneyFixture portal)
{
    [Fact]
    public async Task The_report_page_shows_the_units_accepted_on_the_platform_beside_each_product()
    {
        using var hospital = await portal.SignedInAsync("hospital.bj1");
        var accepted = JsonSerializer.Deserialize<JsonElement>(await hospital.GetStringAsync("/api/hospital/accepted-volumes"))
            .EnumerateArray()
            .Where(v => !v.GetProperty("category").GetBoolean())
            .ToDictionary(v => v.GetProperty("productId").GetString()!, v => v.GetProperty("acceptedUnits").GetInt64());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/Hospital/Report?id={DemoSeeder.BatchId}");
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-GB"));
        using var response = await hospital.SendAsync(request);
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, page);

        var shown = AcceptedCell().Matches(page).ToDictionary(m => m.Groups["product"].Value, m => m.Groups["accepted"].Value);
        Assert.True(shown.Count >= 5, $"the batch's products should each have a row ({shown.Count})");
        Assert.Contains(shown, p => accepted.ContainsKey(p.Key) && accepted[p.Key] > 0);
        foreach (var (product, text) in shown)
        {
            Assert.Equal(accepted.TryGetValue(product, out var units) ? units.ToString("N0", CultureInfo.GetCultureInfo("en-GB")) : "—", text);
        }
    }

    [GeneratedRegex("""<tr data-test="line-(?<product>[^"]+)">.*?data-test="accepted">(?<accepted>[^<]*)<""", RegexOptions.Singleline)]
    private static partial Regex AcceptedCell();
}
