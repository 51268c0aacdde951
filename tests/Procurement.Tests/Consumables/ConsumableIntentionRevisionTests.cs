using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Every revision of a hospital's brand intention is kept (migration 0029), on each database:
/// stated, revised to another firm and product with other further choices, and revised again to a
/// firm alone, the hospital's history lists the three newest first, each with what it named, the
/// business clock's time of its write and who wrote it, while the intention itself is the latest;
/// another hospital's history holds only its own; a refused revision adds no revision and nothing
/// else.
/// </summary>
public abstract class ConsumableIntentionRevisionTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";

    private static readonly string[] IntentionTables =
        ["events", "consumable_intentions", "consumable_intention_choices", "consumable_intention_revisions", "consumable_intention_revision_choices"];

    private ProcurementStore Store => fixture.Cluster.Database;

    private async Task<Scenario> ReportingAsync()
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await s.RegisterAsync();
        await s.Batch.ConfigureAsync(s.Definition() with
        {
            Products = [],
            HospitalIds = [s.Hospital1, s.Hospital2],
            Consumables = new ConsumableTerms(
                [
                    new ConsumableLot(Stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
                    new ConsumableLot(Hip, "Ceramic-on-ceramic hip", "C03", 35_000m, ConsumablePurchaseUnit.System, [new ConsumableLotComponent("cup", "Acetabular cup", 9_000m)]),
                ], "custom", new Dictionary<string, string>()),
        });
        await s.Batch.OpenVolumeReportingAsync();
        return s;
    }

    [Fact]
    public async Task Each_revision_is_kept_with_what_it_named_when_and_by_whom_newest_first()
    {
        var s = await ReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        var first = fixture.Clock.GetUtcNow();
        await hospital.SubmitConsumableIntentionsAsync(s.BatchId,
        [
            new ConsumableIntentionLine(Stent, s.Maker1, "CERT-1", "DES-1", null, 500, [s.Maker2, s.Maker3], null),
            new ConsumableIntentionLine(Hip, s.Maker2, null, null, null, 40, [], null),
        ]);
        fixture.Clock.Advance(TimeSpan.FromMinutes(7));
        var second = fixture.Clock.GetUtcNow();
        await hospital.SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker2, "CERT-2", "DES-2", null, 650, [s.Maker1], null)]);
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var third = fixture.Clock.GetUtcNow();
        await hospital.SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker3, null, null, null, 700, [], null)]);
        // The other hospital's intention is its own history, not the first's.
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker1, null, null, null, 90, [], null)]);

        var history = await hospital.GetConsumableIntentionHistoryAsync(s.BatchId);
        Assert.Equal((s.BatchId, s.Hospital1, false), (history.BatchId, history.HospitalId, history.Truncated));
        var who = $"hospital:{s.Hospital1}";
        Assert.Equal(
            [
                (Stent, 3, s.Maker3, (string?)null, (string?)null, 700L, "", third, who),
                (Stent, 2, s.Maker2, "CERT-2", "DES-2", 650L, s.Maker1, second, who),
                (Hip, 1, s.Maker2, null, null, 40L, "", first, who),
                (Stent, 1, s.Maker1, "CERT-1", "DES-1", 500L, $"{s.Maker2},{s.Maker3}", first, who),
            ],
            history.Revisions.Select(r => (r.CategoryId, r.Revision, r.ManufacturerId, r.CertificateNumber, r.Model, r.AnnualQuantity,
                string.Join(",", r.FurtherChoices), r.ReportedAt, r.ReportedBy!)));
        // The intention itself is the latest revision, as before.
        var current = (await hospital.GetConsumableIntentionsAsync(s.BatchId)).Single(i => i.CategoryId == Stent);
        Assert.Equal((s.Maker3, 3, third), (current.ManufacturerId, current.Revision, current.ReportedAt));

        var other = await s.Hospital(s.Hospital2).GetConsumableIntentionHistoryAsync(s.BatchId);
        Assert.Equal([(s.Hospital2, Stent, 1, 90L)], other.Revisions.Select(r => (other.HospitalId, r.CategoryId, r.Revision, r.AnnualQuantity)));
        // A hospital that stated nothing has no history.
        Assert.Empty((await s.Hospital(s.OutsideHospital).GetConsumableIntentionHistoryAsync(s.BatchId)).Revisions);
    }

    [Fact]
    public async Task A_refused_revision_keeps_no_revision_and_writes_nothing()
    {
        var s = await ReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        await hospital.SubmitConsumableIntentionsAsync(s.BatchId, [new ConsumableIntentionLine(Stent, s.Maker1, null, null, null, 500, [], null)]);
        var before = await TableCounts.ReadAsync(Store);

        // The second line names an unregistered firm: the whole write is refused, the first line's revision too.
        var refused = await Assert.ThrowsAsync<ProcurementException>(() => hospital.SubmitConsumableIntentionsAsync(s.BatchId,
        [
            new ConsumableIntentionLine(Stent, s.Maker2, null, null, null, 600, [], null),
            new ConsumableIntentionLine(Hip, "M-NOBODY", null, null, null, 4, [], null),
        ]));
        Assert.Equal((ErrorCodes.UnknownReference, "lines[1].manufacturerId"), (refused.Code, refused.Field));
        // A certificate without its model is refused before anything is read.
        var half = await Assert.ThrowsAsync<ProcurementException>(() => hospital.SubmitConsumableIntentionsAsync(s.BatchId,
            [new ConsumableIntentionLine(Stent, s.Maker2, "CERT-2", null, null, 600, [], null)]));
        Assert.Equal("lines[0].model", half.Field);

        var after = await TableCounts.ReadAsync(Store);
        Assert.All(IntentionTables, t => Assert.True(before[t] == after[t], $"{t}: {before[t]} rows before, {after[t]} after"));
        Assert.Equal([1], (await hospital.GetConsumableIntentionHistoryAsync(s.BatchId)).Revisions.Select(r => r.Revision));
        Assert.Equal(0L, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM consumable_intention_revisions WHERE batch_id = @BatchId AND manufacturer_id = @Maker", new { s.BatchId, Maker = s.Maker2 })));
    }
}

public sealed class SqliteConsumableIntentionRevisionTests(SqliteClusterFixture fixture) : ConsumableIntentionRevisionTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableIntentionRevisionTests(PostgresClusterFixture fixture) : ConsumableIntentionRevisionTests(fixture), IClassFixture<PostgresClusterFixture>;
