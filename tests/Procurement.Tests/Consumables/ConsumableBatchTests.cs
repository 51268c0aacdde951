using System.Text.Json;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Consumables category batches and the hospitals' brand intentions through the grains, on each
/// database: the definition's round trip and every refusal with nothing written, intentions with
/// revisions and their refusals, and the demand read (firm totals) against the stored intentions.
/// </summary>
public abstract class ConsumableBatchTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";
    private const string StentCode = "C02010300412345067890123456";
    private const string OrthopaedicCode = "C03010300412345067890123456";

    private static readonly string[] ConsumableTables =
        ["tender_batches", "events", "consumable_batches", "consumable_lots", "consumable_lot_components", "consumable_intentions", "consumable_intention_choices"];

    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    private static ConsumableTerms Terms() => new(
        [
            new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
            new ConsumableLot(Hip, "Ceramic-on-ceramic hip", "C03", 35_000.5m, ConsumablePurchaseUnit.System,
            [
                new ConsumableLotComponent("stem", "Femoral stem", 12_000m),
                new ConsumableLotComponent("cup", "Acetabular cup", null),
                new ConsumableLotComponent("liner", "Liner", 4_000.1234m),
                new ConsumableLotComponent("head", "Femoral head", null),
            ]),
        ],
        "joints2021",
        new Dictionary<string, string> { ["topShare"] = "0.7", ["groupB.winnerShare"] = "0.9" });

    private static TenderBatchDefinition Consumables(Scenario s) => s.Definition() with { Products = [], Consumables = Terms() };

    private static string Json(object? value) => JsonSerializer.Serialize(value);

    private async Task OpenConsumablesReportingAsync(Scenario s)
    {
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(Consumables(s));
        await s.Batch.OpenVolumeReportingAsync();
    }

    private async Task AssertNothingWrittenAsync(Dictionary<string, long> before)
    {
        var after = await TableCounts.ReadAsync(Store);
        foreach (var table in ConsumableTables)
        {
            Assert.True(before[table] == after[table], $"{table}: {before[table]} rows before, {after[table]} after");
        }
    }

    [Fact]
    public async Task A_consumables_definition_round_trips_through_the_store_with_its_event()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        var view = await s.Batch.ConfigureAsync(Consumables(s));

        Assert.Empty(view.Definition!.Products);
        Assert.Equal(Json(Terms()), Json(view.Definition.Consumables));
        var stored = await Store.ReadAsync(c => c.QueryAsync<(string, string, long, string)>(
            "SELECT category_id, name, max_valid_price_e6, purchase_unit FROM consumable_lots WHERE batch_id = @Id ORDER BY position", new { Id = s.BatchId }));
        Assert.Equal([(Stent, "Drug-eluting coronary stent", 848_000_000L, "Unit"), (Hip, "Ceramic-on-ceramic hip", 35_000_500_000L, "System")], stored.ToList());
        Assert.Equal(4, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_lot_components WHERE batch_id = @Id", new { Id = s.BatchId })));
        var payload = await Store.ReadAsync(c => c.ExecuteScalarAsync<string>(
            "SELECT payload FROM events WHERE entity_id = @Id AND event_type = 'BatchConfigured'", new { Id = s.BatchId }));
        Assert.Contains("joints2021", payload, StringComparison.Ordinal);
        Assert.Contains("HIP-SYSTEM", payload, StringComparison.Ordinal);

        // Replaced in Draft: the old lots and components go with the new definition.
        var replaced = Terms() with { Categories = [Terms().Categories[0]], RuleSetName = "stents2020", Parameters = new Dictionary<string, string>() };
        view = await s.Batch.ConfigureAsync(Consumables(s) with { Consumables = replaced });
        Assert.Equal(Json(replaced), Json(view.Definition!.Consumables));
        Assert.Equal(0, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_lot_components WHERE batch_id = @Id", new { Id = s.BatchId })));

        // A drug batch has none, and its terms say so.
        var drugs = NewScenario();
        await drugs.OpenReportingAsync();
        Assert.Null((await drugs.Batch.GetAsync()).Definition!.Consumables);
        Assert.Empty((await drugs.Batch.GetReportingTermsAsync(drugs.Hospital1)).ConsumableCategories);
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch, () => drugs.Batch.GetConsumableDemandAsync(), "batchId");
    }

    public static TheoryData<string> DefinitionRefusals => new(DefinitionCases.Keys);

    private static ConsumableTerms WithLot(Func<ConsumableLot, ConsumableLot> change, int index = 1)
    {
        var terms = Terms();
        var categories = terms.Categories.ToList();
        categories[index] = change(categories[index]);
        return terms with { Categories = categories };
    }

    private static ConsumableLotComponent Component(int i) => new($"c{i}", $"Component {i}", null);

    private static readonly Dictionary<string, (Func<ConsumableTerms?> Terms, string Code, string Field)> DefinitionCases = new()
    {
        ["no categories"] = (() => Terms() with { Categories = [] }, ErrorCodes.InvalidField, "consumables.categories"),
        ["too many categories"] = (() => Terms() with
        {
            Categories = Enumerable.Range(0, 1_001).Select(i => new ConsumableLot($"K{i}", $"Category {i}", null, 1m, ConsumablePurchaseUnit.Unit, [])).ToList(),
        }, ErrorCodes.InvalidField, "consumables.categories"),
        ["category twice"] = (() => WithLot(l => l with { CategoryId = Stent }), ErrorCodes.InvalidField, "consumables.categories[1].categoryId"),
        ["no category id"] = (() => WithLot(l => l with { CategoryId = " " }), ErrorCodes.RequiredField, "consumables.categories[1].categoryId"),
        ["no name"] = (() => WithLot(l => l with { Name = "" }), ErrorCodes.RequiredField, "consumables.categories[1].name"),
        ["name too long"] = (() => WithLot(l => l with { Name = new string('n', 201) }), ErrorCodes.InvalidField, "consumables.categories[1].name"),
        ["prefix not at a part's end"] = (() => WithLot(l => l with { ClassPrefix = "C030" }), ErrorCodes.InvalidField, "consumables.categories[1].classPrefix"),
        ["prefix with a letter"] = (() => WithLot(l => l with { ClassPrefix = "C0X" }), ErrorCodes.ConsumableCodeMalformed, "consumables.categories[1].classPrefix.category"),
        ["prefix without C"] = (() => WithLot(l => l with { ClassPrefix = "X03" }), ErrorCodes.ConsumableCodeMalformed, "consumables.categories[1].classPrefix.identifier"),
        ["prefix of category C00"] = (() => WithLot(l => l with { ClassPrefix = "C00" }), ErrorCodes.ConsumableCodeCategory, "consumables.categories[1].classPrefix.category"),
        ["price zero"] = (() => WithLot(l => l with { MaxValidPrice = 0m }), ErrorCodes.InvalidField, "consumables.categories[1].maxValidPrice"),
        ["price too high"] = (() => WithLot(l => l with { MaxValidPrice = 10_000_000.01m }), ErrorCodes.InvalidField, "consumables.categories[1].maxValidPrice"),
        ["price with 5 decimals"] = (() => WithLot(l => l with { MaxValidPrice = 1.00001m }), ErrorCodes.InvalidField, "consumables.categories[1].maxValidPrice"),
        ["unknown purchase unit"] = (() => WithLot(l => l with { PurchaseUnit = (ConsumablePurchaseUnit)7 }), ErrorCodes.InvalidField, "consumables.categories[1].purchaseUnit"),
        ["unit with components"] = (() => WithLot(l => l with { Components = [Component(1)] }, 0), ErrorCodes.InvalidField, "consumables.categories[0].components"),
        ["system without components"] = (() => WithLot(l => l with { Components = [] }), ErrorCodes.InvalidField, "consumables.categories[1].components"),
        ["too many components"] = (() => WithLot(l => l with { Components = Enumerable.Range(0, 17).Select(Component).ToList() }), ErrorCodes.InvalidField, "consumables.categories[1].components"),
        ["component twice"] = (() => WithLot(l => l with { Components = [Component(1), Component(1)] }), ErrorCodes.InvalidField, "consumables.categories[1].components[1].componentId"),
        ["component without name"] = (() => WithLot(l => l with { Components = [Component(1) with { Name = "" }] }), ErrorCodes.RequiredField, "consumables.categories[1].components[0].name"),
        ["component price negative"] = (() => WithLot(l => l with { Components = [Component(1) with { MaxValidPrice = -1m }] }), ErrorCodes.InvalidField, "consumables.categories[1].components[0].maxValidPrice"),
        ["drug rule set"] = (() => Terms() with { RuleSetName = "round11" }, ErrorCodes.InvalidField, "consumables.ruleSetName"),
        ["unknown key"] = (() => Terms() with { Parameters = new Dictionary<string, string> { ["volumeReport.minimumShareOfHistory"] = "0.8" } },
            ErrorCodes.InvalidField, "consumables.parameters.volumeReport.minimumShareOfHistory"),
        ["bad value"] = (() => Terms() with { Parameters = new Dictionary<string, string> { ["topShare"] = "2" } }, ErrorCodes.InvalidField, "consumables.parameters.topShare"),
        ["no products and no categories"] = (() => null, ErrorCodes.InvalidField, "products"),
    };

    [Theory]
    [MemberData(nameof(DefinitionRefusals))]
    public async Task A_bad_consumables_definition_is_refused_with_its_code_and_field_and_nothing_is_written(string name)
    {
        var s = NewScenario();
        await s.RegisterAsync();
        var (terms, code, field) = DefinitionCases[name];
        var before = await TableCounts.ReadAsync(Store);
        var error = await Refused.WithAsync(code, () => s.Batch.ConfigureAsync(Consumables(s) with { Consumables = terms() }), field);
        if (name == "unknown key")
        {
            Assert.Contains("volumeReport.minimumShareOfHistory", error.Message, StringComparison.Ordinal);
            Assert.Contains("topShare", error.Message, StringComparison.Ordinal);
        }
        await AssertNothingWrittenAsync(before);
    }

    [Fact]
    public async Task A_consumables_definition_listing_drug_products_is_refused_naming_them_and_nothing_is_written()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        var drugs = s.Definition();
        var before = await TableCounts.ReadAsync(Store);
        // Its award would award the categories only and leave the drug products unawarded.
        var error = await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.ConfigureAsync(drugs with { Consumables = Terms() }), "products");
        Assert.All(drugs.Products, p => Assert.Contains(p.ProductId, error.Message, StringComparison.Ordinal));
        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.ConfigureAsync(drugs with { Products = [drugs.Products[0]], Consumables = Terms() }), "products");
        await AssertNothingWrittenAsync(before);
    }

    private static ConsumableIntentionLine Line(string category, string maker, long quantity, params string[] choices) =>
        new(category, maker, $"CERT-{maker}", "M-1", null, quantity, choices, null);

    [Fact]
    public async Task Intentions_are_stated_revised_and_read_with_firm_totals_equal_to_their_sum()
    {
        var s = NewScenario();
        await OpenConsumablesReportingAsync(s);
        var h1 = s.Hospital(s.Hospital1);
        var h2 = s.Hospital(s.Hospital2);
        var eventsBefore = await EventCountAsync(s);

        var first = await h1.SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker1, 500, s.Maker2, s.Maker3) with { ConsumableCode = $" {StentCode} " }]);
        Assert.Equal(1, first.Single().Revision);
        Assert.Equal(StentCode, first.Single().ConsumableCode);
        await h2.SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker2, 300), Line(Hip, s.Maker1, 100, s.Maker3)]);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var revised = await h1.SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker3, 400, s.Maker1), Line(Hip, s.Maker2, 60)]);
        Assert.Equal([2, 1], revised.Select(r => r.Revision));

        var mine = await h1.GetConsumableIntentionsAsync(s.BatchId);
        var stent = mine.Single(i => i.CategoryId == Stent);
        Assert.Equal((s.Maker3, 400L, 2, (string?)null), (stent.ManufacturerId, stent.AnnualQuantity, stent.Revision, stent.ConsumableCode));
        Assert.Equal([s.Maker1], stent.FurtherChoices);
        Assert.Equal(fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds(), stent.ReportedAt.ToUnixTimeMilliseconds());
        Assert.Equal(2, mine.Count);
        Assert.Equal([s.Maker3], (await h2.GetConsumableIntentionsAsync(s.BatchId)).Single(i => i.CategoryId == Hip).FurtherChoices);
        Assert.Equal(3, await EventCountAsync(s) - eventsBefore);

        var demand = await s.Batch.GetConsumableDemandAsync();
        Assert.Equal([Stent, Hip], demand.Categories.Select(c => c.CategoryId));
        var stents = demand.Categories[0];
        Assert.Equal((700L, 2), (stents.TotalQuantity, stents.Hospitals));
        Assert.Equal([(s.Maker3, 400L, 0.571429m, 1), (s.Maker2, 300L, 0.428571m, 1)], stents.Firms.Select(f => (f.ManufacturerId, f.Quantity, f.Share, f.Hospitals)));
        var hips = demand.Categories[1];
        Assert.Equal([(s.Maker1, 100L), (s.Maker2, 60L)], hips.Firms.Select(f => (f.ManufacturerId, f.Quantity)));

        // The firm totals read are the sums of the stored intentions, per category and firm.
        var sums = await Store.ReadAsync(c => c.QueryAsync<(string, string, long)>("""
            SELECT category_id, manufacturer_id, CAST(SUM(annual_quantity) AS BIGINT)
              FROM consumable_intentions WHERE batch_id = @Id GROUP BY category_id, manufacturer_id
            """, new { Id = s.BatchId }));
        Assert.Equal(
            sums.OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2, StringComparer.Ordinal).ToList(),
            demand.Categories.SelectMany(c => c.Firms.Select(f => (c.CategoryId, f.ManufacturerId, f.Quantity)))
                .OrderBy(x => x.CategoryId, StringComparer.Ordinal).ThenBy(x => x.ManufacturerId, StringComparer.Ordinal).ToList());
        Assert.All(demand.Categories, c => Assert.Equal(c.TotalQuantity, c.Intentions.Sum(i => i.AnnualQuantity)));
        Assert.All(demand.Categories, c => Assert.Equal(c.TotalQuantity, c.Firms.Sum(f => f.Quantity)));

        // Closed: no revision lands, and the demand stays readable.
        await s.Batch.CloseVolumeReportingAsync();
        var before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.ReportingClosed, () => h2.SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker1, 1)]), "batchId");
        await AssertNothingWrittenAsync(before);
        Assert.Equal(TenderBatchPhase.VolumeReportingClosed, (await s.Batch.GetConsumableDemandAsync()).Phase);
    }

    [Fact]
    public async Task Bad_intentions_are_refused_with_a_code_and_field_and_nothing_is_written()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(Consumables(s));
        var h1 = s.Hospital(s.Hospital1);
        var before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.ReportingClosed, () => h1.SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker1, 1)]), "batchId");
        await s.Batch.OpenVolumeReportingAsync();
        before = await TableCounts.ReadAsync(Store);

        Task Submit(params ConsumableIntentionLine[] lines) => h1.SubmitConsumableIntentionsAsync(s.BatchId, lines);
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(), "lines");
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch, () => Submit(Line("KNEE", s.Maker1, 1)), "lines[0].categoryId");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 1), Line(Stent, s.Maker2, 1)), "lines[1].categoryId");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 1), Line(Hip, s.Maker2, 1), Line(Hip, s.Maker2, 1)), "lines");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 0)), "lines[0].annualQuantity");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, -5)), "lines[0].annualQuantity");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 10_000_001)), "lines[0].annualQuantity");
        await Refused.WithAsync(ErrorCodes.RequiredField, () => Submit(Line(Stent, "", 1)), "lines[0].manufacturerId");
        await Refused.WithAsync(ErrorCodes.ConsumableProductIncomplete, () => Submit(Line(Stent, s.Maker1, 1) with { CertificateNumber = " " }), "lines[0].certificateNumber");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 1) with { Model = new string('m', 201) }), "lines[0].model");
        await Refused.WithAsync(ErrorCodes.ConsumableCodeLength, () => Submit(Line(Stent, s.Maker1, 1) with { ConsumableCode = "C0201" }), "lines[0].consumableCode");
        await Refused.WithAsync(ErrorCodes.ConsumableClassMismatch, () => Submit(Line(Stent, s.Maker1, 1) with { ConsumableCode = OrthopaedicCode }), "lines[0].consumableCode");
        await Refused.WithAsync(ErrorCodes.UnknownReference, () => Submit(Line(Stent, "NO-SUCH-FIRM", 1)), "lines[0].manufacturerId");
        await Refused.WithAsync(ErrorCodes.UnknownReference, () => Submit(Line(Hip, s.Maker1, 1), Line(Stent, s.Maker1, 1, s.Maker2, "NO-SUCH-FIRM")), "lines[1].furtherChoices[1]");
        await Refused.WithAsync(ErrorCodes.InvalidField,
            () => Submit(Line(Stent, s.Maker1, 1, Enumerable.Range(0, 11).Select(i => $"F{i}").ToArray())), "lines[0].furtherChoices");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 1, s.Maker1)), "lines[0].furtherChoices[0]");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Submit(Line(Stent, s.Maker1, 1, s.Maker2, s.Maker2)), "lines[0].furtherChoices[1]");
        await Refused.WithAsync(ErrorCodes.NotParticipating,
            () => s.Hospital(s.OutsideHospital).SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker1, 1)]), "hospitalId");

        var drugs = NewScenario();
        await drugs.OpenReportingAsync();
        before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch,
            () => drugs.Hospital(drugs.Hospital1).SubmitConsumableIntentionsAsync(drugs.BatchId, [Line(Stent, drugs.Maker1, 1)]), "lines[0].categoryId");
        await AssertNothingWrittenAsync(before);
        Assert.Empty(await h1.GetConsumableIntentionsAsync(s.BatchId));
    }

    [Fact]
    public async Task Below_a_known_history_an_intention_needs_a_reason()
    {
        var s = NewScenario();
        await OpenConsumablesReportingAsync(s);
        // A usage history registered under the category's id is held to (as the accepted systems and units are: ConsumableOrderTests).
        await fixture.Cluster.Client.GetGrain<IProductGrain>(Stent + "-" + s.Tag).RegisterAsync(
            new Product(Stent + "-" + s.Tag, "Stent history", "Device", new Specification("1", 1, 1m), []));
        var history = NewScenario();
        var id = Stent + "-" + s.Tag;
        var terms = Terms() with { Categories = [Terms().Categories[0] with { CategoryId = id }] };
        await history.RegisterAsync();
        await history.Batch.ConfigureAsync(history.Definition() with { Products = [], Consumables = terms });
        await history.Batch.OpenVolumeReportingAsync();
        var hospital = history.Hospital(history.Hospital1);
        await hospital.SetUsageHistoryAsync([new UsageHistory(id, 1_000)]);

        var before = await TableCounts.ReadAsync(Store);
        var error = await Refused.WithAsync(ErrorCodes.BelowHistoryNeedsReason,
            () => hospital.SubmitConsumableIntentionsAsync(history.BatchId, [Line(id, history.Maker1, 799)]), "lines[0].belowHistoryReason");
        Assert.Contains("800", error.Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(before);

        var saved = await hospital.SubmitConsumableIntentionsAsync(history.BatchId, [Line(id, history.Maker1, 799) with { BelowHistoryReason = "Fewer PCI cases planned." }]);
        Assert.Equal("Fewer PCI cases planned.", saved.Single().BelowHistoryReason);
        Assert.Single(await hospital.SubmitConsumableIntentionsAsync(history.BatchId, [Line(id, history.Maker1, 800)]));
        // Without a history for the category the rule does not apply.
        Assert.Single(await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [Line(Stent, s.Maker1, 1)]));
    }

    private Task<long> EventCountAsync(Scenario s) =>
        Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM events WHERE batch_id = @Id AND event_type = 'ConsumableIntentionsReported'", new { Id = s.BatchId }));
}

public sealed class SqliteConsumableBatchTests(SqliteClusterFixture fixture) : ConsumableBatchTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableBatchTests(PostgresClusterFixture fixture) : ConsumableBatchTests(fixture), IClassFixture<PostgresClusterFixture>;
