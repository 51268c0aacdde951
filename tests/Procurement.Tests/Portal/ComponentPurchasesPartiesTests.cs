using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Silo.Seeding;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The components bought separately under the demo's hip-system agreements, as the parties see
/// them (issue 19): the hospital that bought the cups sees its own lines, units and amount beside
/// the agreement (<c>GET /api/hospital/agreements</c>, its start page), another hospital of the
/// same agreement sees none of them; the supplier sees them under its own agreement
/// (<c>GET /api/manufacturer/component-purchases</c>, its agreements page), another manufacturer
/// nothing of it. The figures equal the alliance's monitoring and the order lines.
/// </summary>
[Collection(JourneyCollection.Name)]
public sealed class ComponentPurchasesPartiesTests(JourneyFixture portal) : IAsyncLifetime
{
    private PortalBrowser _browser = null!;

    private IGrainFactory Grains => portal.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync() => _browser = await PortalBrowser.LaunchAsync(portal.BaseAddress);

    public Task DisposeAsync() => _browser.DisposeAsync().AsTask();

    private sealed record Figure(string AgreementId, string ComponentId, int Lines, long AcceptedUnits, decimal AcceptedAmount);

    private static Figure FigureOf(JsonElement e) => new(
        e.GetProperty("agreementId").GetString()!, e.GetProperty("componentId").GetString()!, e.GetProperty("lines").GetInt32(),
        e.GetProperty("acceptedUnits").GetInt64(), e.GetProperty("acceptedAmount").GetDecimal());

    /// <summary>The demo hospital's hip agreement, its supplier, and the cups it bought under it as the order lines say.</summary>
    private async Task<(Agreement Agreement, Figure Cups)> DemoCupsAsync()
    {
        var batch = Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.HipSystemBatchId);
        var award = (await batch.GetAwardAsync())!;
        var supplier = Assert.Single(award.Consumables!.Supplies, p => p.HospitalId == "H-BJ-001").ManufacturerId;
        var agreement = (await batch.ListAgreementsAsync()).Single(a => a.ManufacturerId == supplier && a.RegionCode == "BJ");
        var cups = (await Grains.GetGrain<IHospitalOrdersGrain>("H-BJ-001").ListOrdersAsync(200))
            .SelectMany(o => o.Lines).Where(l => l.AgreementId == agreement.AgreementId && l.ComponentId == "cup").ToList();
        Assert.True(cups.Count >= 4, $"{cups.Count} cups");
        return (agreement, new Figure(agreement.AgreementId.ToString(), "cup", cups.Count, cups.Sum(l => l.AcceptedUnits), cups.Sum(l => l.AcceptedUnits * l.UnitPrice)));
    }

    private async Task<string> AccountAsync(string user, string name, OrganisationKind kind, string organisation)
    {
        var account = Grains.GetGrain<IAccountGrain>(user);
        if (await account.GetAsync() is null)
        {
            await account.CreateAsync(name, kind, organisation, PortalFixture.Password);
        }
        return user;
    }

    [Fact]
    public async Task The_hospital_sees_its_own_components_bought_separately_and_another_hospital_of_the_agreement_none()
    {
        var (agreement, cups) = await DemoCupsAsync();
        using var bj1 = await portal.SignedInAsync("hospital.bj1");
        using (var mine = JsonDocument.Parse(await bj1.GetStringAsync("/api/hospital/agreements")))
        {
            var views = mine.RootElement.EnumerateArray().ToList();
            var hip = views.Single(v => v.GetProperty("agreement").GetProperty("agreementId").GetString() == agreement.AgreementId.ToString());
            Assert.Equal(cups, FigureOf(Assert.Single(hip.GetProperty("componentPurchases").EnumerateArray())));
            // Under every other agreement (drugs, stents) it bought no component.
            Assert.All(views.Where(v => v.GetProperty("agreement").GetProperty("agreementId").GetString() != agreement.AgreementId.ToString()),
                v => Assert.Empty(v.GetProperty("componentPurchases").EnumerateArray()));
        }
        // The alliance's monitoring gives the same figure for the agreement.
        using var alliance = await portal.SignedInAsync("alliance.admin");
        using (var monitoring = JsonDocument.Parse(await alliance.GetStringAsync($"/api/batches/{DemoSeeder.HipSystemBatchId}/monitoring")))
        {
            Assert.Contains(cups, monitoring.RootElement.GetProperty("componentPurchases").EnumerateArray().Select(FigureOf));
        }

        // Another hospital with a hip agreement (each hospital has its own agreement) sees no component bought separately, and not the demo hospital's agreement.
        var store = portal.Services.GetRequiredService<ProcurementStore>();
        var other = await store.ReadAsync(c => c.QueryFirstAsync<string>(
            """
            SELECT h.hospital_id FROM agreement_hospitals h JOIN agreements a ON a.agreement_id = h.agreement_id
             WHERE a.batch_id = @BatchId AND h.hospital_id <> 'H-BJ-001' ORDER BY h.hospital_id
            """,
            new { BatchId = DemoSeeder.HipSystemBatchId }));
        using var neighbour = await portal.SignedInAsync(await AccountAsync($"hospital.{other.ToLowerInvariant()}", "Another hospital", OrganisationKind.Hospital, other));
        using var theirs = JsonDocument.Parse(await neighbour.GetStringAsync("/api/hospital/agreements"));
        var others = theirs.RootElement.EnumerateArray().ToList();
        Assert.Contains(others, v => v.GetProperty("agreement").GetProperty("batchId").GetString() == DemoSeeder.HipSystemBatchId);
        Assert.DoesNotContain(others, v => v.GetProperty("agreement").GetProperty("agreementId").GetString() == agreement.AgreementId.ToString());
        Assert.All(others, v => Assert.Empty(v.GetProperty("componentPurchases").EnumerateArray()));
        Assert.DoesNotContain("data-test=\"component-purchases\"", await neighbour.GetStringAsync("/Hospital"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_supplier_sees_the_components_bought_under_its_own_agreements_and_another_manufacturer_none_of_them()
    {
        var (agreement, cups) = await DemoCupsAsync();
        using var supplier = await portal.SignedInAsync(await AccountAsync(
            $"maker.{agreement.ManufacturerId.ToLowerInvariant()}", "Hip supplier tender desk", OrganisationKind.Manufacturer, agreement.ManufacturerId));
        using (var mine = JsonDocument.Parse(await supplier.GetStringAsync("/api/manufacturer/component-purchases")))
        {
            var figures = mine.RootElement.EnumerateArray().Select(FigureOf).ToList();
            Assert.Contains(cups, figures);
            // Every row is under one of its own agreements.
            var own = (await Grains.GetGrain<IDirectoryGrain>(0).ListAgreementsForManufacturerAsync(agreement.ManufacturerId)).Select(a => a.AgreementId.ToString()).ToHashSet();
            Assert.All(figures, f => Assert.Contains(f.AgreementId, own));
        }

        // Another manufacturer (a stent firm; and another hip firm of the batch) sees none of these agreements' purchases.
        var hipFirms = (await Grains.GetGrain<ITenderBatchGrain>(DemoSeeder.HipSystemBatchId).ListAgreementsAsync())
            .Select(a => a.ManufacturerId).Where(m => m != agreement.ManufacturerId).Distinct().Take(1);
        foreach (var firm in hipFirms.Append("M-MICROPORT"))
        {
            var user = firm == "M-MICROPORT" ? "maker.microport" : await AccountAsync($"maker.{firm.ToLowerInvariant()}", "Another hip firm", OrganisationKind.Manufacturer, firm);
            using var rival = await portal.SignedInAsync(user);
            using var response = await rival.GetAsync("/api/manufacturer/component-purchases");
            Assert.True(response.IsSuccessStatusCode, $"{user}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var theirs = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.DoesNotContain(theirs.RootElement.EnumerateArray().Select(FigureOf), f => f.AgreementId == agreement.AgreementId.ToString());
        }
    }

    [Fact]
    public async Task The_hospitals_start_page_and_the_suppliers_agreements_page_show_the_components_bought_separately()
    {
        var (agreement, cups) = await DemoCupsAsync();
        var amount = cups.AcceptedAmount.ToString("N2", System.Globalization.CultureInfo.InvariantCulture);

        var hospital = await _browser.NewPageAsync("zh-CN");
        await hospital.GotoAsync("/Hospital");
        await PortalBrowser.SignInAsync(hospital, "hospital.bj1");
        await hospital.GotoAsync("/Hospital");
        await Assertions.Expect(hospital.GetByRole(AriaRole.Heading, new() { Name = "单独采购的部件" })).ToBeVisibleAsync();
        var row = hospital.Locator("[data-test=component-purchases] [data-test=component-cup]");
        await Assertions.Expect(row).ToContainTextAsync("HIP-SYSTEM");
        await Assertions.Expect(row).ToContainTextAsync(cups.Lines.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(row).ToContainTextAsync(amount);
        await PortalBrowser.ShotAsync(hospital, "component-purchases-1-hospital-zh");

        var user = await AccountAsync($"maker.{agreement.ManufacturerId.ToLowerInvariant()}", "Hip supplier tender desk", OrganisationKind.Manufacturer, agreement.ManufacturerId);
        var supplier = await _browser.NewPageAsync("en-US");
        await supplier.GotoAsync("/Bidding/Agreements");
        await PortalBrowser.SignInAsync(supplier, user);
        await supplier.GotoAsync("/Bidding/Agreements");
        await Assertions.Expect(supplier.GetByRole(AriaRole.Heading, new() { Name = "Components bought separately" })).ToBeVisibleAsync();
        var line = supplier.Locator("[data-test=component-purchases] [data-test=component-cup]").Filter(new() { HasText = DemoSeeder.HipSystemBatchId });
        await Assertions.Expect(line).ToContainTextAsync("HIP-SYSTEM");
        await Assertions.Expect(line).ToContainTextAsync(amount);
        await PortalBrowser.ShotAsync(supplier, "component-purchases-2-supplier-en");
    }
}
