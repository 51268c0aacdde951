using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Procurement.Optimizer.RuleSets;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>The portal takes rule-set names and keys from the award engine's registry, through the catalog grain.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class RuleSetPortalTests(PortalFixture portal)
{
    [Fact]
    public async Task The_new_batch_dropdown_lists_exactly_the_registrys_names_with_the_default_chosen()
    {
        using var admin = await portal.ClientAsync("alliance.admin");

        var html = await admin.GetStringAsync("/Alliance/Create");

        var select = SelectRuleSet().Match(html);
        Assert.True(select.Success, "no rule-set dropdown on the page");
        var options = OptionTag().Matches(select.Groups["options"].Value);
        Assert.Equal(RuleSetCatalog.Names, options.Select(o => o.Groups["value"].Value));
        Assert.Equal([RuleSetCatalog.Default], options.Where(o => o.Groups["selected"].Success).Select(o => o.Groups["value"].Value));
    }

    [Fact]
    public async Task The_api_lists_the_registry_and_refuses_an_unknown_key_naming_it_and_stores_nothing()
    {
        using var admin = await portal.ClientAsync("alliance.admin");
        var catalog = await admin.GetFromJsonAsync<JsonElement>("/api/rule-sets");
        Assert.Equal(RuleSetCatalog.Names, catalog.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(RuleSetCatalog.Parameters.Select(p => p.Key), catalog.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("key").GetString()));

        var batchId = $"RULES-{Guid.NewGuid():N}"[..15].ToUpperInvariant();
        var now = DateTimeOffset.UtcNow.AddYears(2);
        var response = await admin.PostAsJsonAsync("/api/batches", new
        {
            batchId,
            definition = new
            {
                allianceId = "ALLIANCE-NORTH",
                name = "misspelt parameter",
                products = new[] { new { productId = "ATORVASTATIN-TAB", maxValidUnitPrice = 0.5m } },
                regionCodes = new[] { "BJ" },
                hospitalIds = new[] { "H-BJ-001" },
                ruleSet = new { name = "round11", parameters = new Dictionary<string, string> { ["ratioLimt"] = "2.0" }, conversion = new { packCountDoublingFactor = 1.95m, strengthDoublingFactor = 1.7m } },
                windows = new { reportingCloses = now.AddDays(1), biddingDeadline = now.AddDays(10), openingTime = now.AddDays(10), publicityDays = 7 },
                agreementMonths = 24,
            },
        });

        var problem = await PortalHardeningTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "FIELD_INVALID");
        Assert.Equal("ruleSet.parameters.ratioLimt", problem.GetProperty("field").GetString());
        Assert.Contains("ratioLimt", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/batches/{batchId}")).StatusCode);
        Assert.DoesNotContain(batchId, await admin.GetStringAsync("/api/batches"));
    }

    [GeneratedRegex("""<select[^>]*name="RuleSet"[^>]*>(?<options>.*?)</select>""", RegexOptions.Singleline)]
    private static partial Regex SelectRuleSet();

    [GeneratedRegex("""<option value="(?<value>[^"]*)"(?<selected> selected="selected")?>""")]
    private static partial Regex OptionTag();
}
