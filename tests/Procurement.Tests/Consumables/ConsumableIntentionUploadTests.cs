using System.Text;
using MiniExcelLibs;
using Procurement.BidPortal.Api;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Text;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// Brand intentions uploaded as a sheet, and the demand read in pages, on each database: a CSV and
/// an XLSX stored through the hospital grain (the second revising the first), every bad row reported
/// with its row, column and code and nothing written, the history rule as for single intentions, the
/// upload's limits; pages of every size and of one category adding up to the whole demand, and bad
/// limits, cursors and categories refused with their codes.
/// </summary>
public abstract class ConsumableIntentionUploadTests(ClusterFixture fixture)
{
    private const string Stent = "STENT-DES";
    private const string Hip = "HIP-SYSTEM";
    private const string StentCode = "C02010300412345067890123456";

    private static readonly UploadLimits Limits = new(10 * 1024 * 1024, 100_000, 50 * 1024 * 1024, 100);

    private static readonly string[] ConsumableTables = ["events", "consumable_intentions", "consumable_intention_choices"];

    private ProcurementStore Store => fixture.Cluster.Database;

    private static ConsumableTerms Terms(string stent = Stent) => new(
        [
            new ConsumableLot(stent, "Drug-eluting coronary stent", "C0201", 848m, ConsumablePurchaseUnit.Unit, []),
            new ConsumableLot(Hip, "Ceramic-on-ceramic hip", "C03", 35_000m, ConsumablePurchaseUnit.System,
                [new ConsumableLotComponent("stem", "Femoral stem", 12_000m), new ConsumableLotComponent("cup", "Acetabular cup", null)]),
        ],
        "joints2021",
        new Dictionary<string, string>());

    private static string Extra(Scenario s, int i) => $"HP{i}-{s.Tag}";

    /// <summary>A consumables batch in reporting with the scenario's two hospitals and <paramref name="extra"/> more of region A.</summary>
    private async Task<Scenario> ReportingAsync(int extra = 0, string stent = Stent)
    {
        var s = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await s.RegisterAsync();
        for (var i = 0; i < extra; i++)
        {
            await s.Hospital(Extra(s, i)).RegisterAsync(new Hospital(Extra(s, i), $"Hospital P{i}", s.RegionA));
        }
        var definition = s.Definition();
        await s.Batch.ConfigureAsync(definition with
        {
            Products = [],
            HospitalIds = [.. definition.HospitalIds, .. Enumerable.Range(0, extra).Select(i => Extra(s, i))],
            Consumables = Terms(stent),
        });
        await s.Batch.OpenVolumeReportingAsync();
        return s;
    }

    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    private static MemoryStream Xlsx(IEnumerable<Dictionary<string, object>> rows)
    {
        var stream = new MemoryStream();
        stream.SaveAs(rows);
        stream.Position = 0;
        return stream;
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
    public async Task A_csv_and_then_an_xlsx_are_stored_all_rows_in_one_submission()
    {
        var s = await ReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        var csv = $"""
            Category_ID,manufacturer_id,certificate_number,model,annual_quantity,consumable_code,further_choices,below_history_reason,remarks
            {Stent},{s.Maker1},CERT-1,DES-1,500,{StentCode},{s.Maker2}; {s.Maker3},,ignored

            {Hip},{s.Maker2},CERT-2,HIP-1,40,,,,
            """;

        var stored = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv(csv), xlsx: false, Limits);

        Assert.True(stored.Accepted, string.Join("; ", stored.Errors));
        var stent = stored.Intentions.Single(i => i.CategoryId == Stent);
        Assert.Equal((s.Maker1, 500L, StentCode, 1), (stent.ManufacturerId, stent.AnnualQuantity, stent.ConsumableCode, stent.Revision));
        Assert.Equal([s.Maker2, s.Maker3], stent.FurtherChoices);
        Assert.Equal(2, (await hospital.GetConsumableIntentionsAsync(s.BatchId)).Count);

        var revised = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Xlsx(
        [
            new() { ["category_id"] = Stent, ["manufacturer_id"] = s.Maker3, ["certificate_number"] = "CERT-3", ["model"] = "DES-2", ["annual_quantity"] = 450, ["further_choices"] = s.Maker1 },
        ]), xlsx: true, Limits);

        Assert.True(revised.Accepted, string.Join("; ", revised.Errors));
        var mine = await hospital.GetConsumableIntentionsAsync(s.BatchId);
        var now = mine.Single(i => i.CategoryId == Stent);
        Assert.Equal((s.Maker3, 450L, 2, (string?)null), (now.ManufacturerId, now.AnnualQuantity, now.Revision, now.ConsumableCode));
        Assert.Equal([s.Maker1], now.FurtherChoices);
        Assert.Equal(1, mine.Single(i => i.CategoryId == Hip).Revision);
    }

    [Fact]
    public async Task A_csv_saved_in_gb18030_is_stored_with_its_chinese_text_and_a_csv_that_is_neither_is_refused_with_file_encoding()
    {
        var s = await ReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        var text = $"""
            category_id,manufacturer_id,certificate_number,model,annual_quantity,below_history_reason
            {Stent},{s.Maker1},国械注准20153130000,火鹰 3.0×18mm,500,新院区开业
            """;
        var gbk = CsvEncoding.Gb18030.GetBytes(text);
        Assert.NotEqual(Encoding.UTF8.GetBytes(text), gbk);

        var stored = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, new MemoryStream(gbk), xlsx: false, Limits);

        Assert.True(stored.Accepted, string.Join("; ", stored.Errors));
        var mine = Assert.Single(await hospital.GetConsumableIntentionsAsync(s.BatchId));
        Assert.Equal(("国械注准20153130000", "火鹰 3.0×18mm"), (mine.CertificateNumber, mine.Model));

        // Bytes that are neither UTF-8 nor GB18030 (0xFF is neither's): refused, and the stored intention is as it was.
        var before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.FileEncoding,
            () => ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, new MemoryStream([.. gbk, 0xFF, 0xFF, (byte)'\n']), xlsx: false, Limits), "file");
        await AssertNothingWrittenAsync(before);
        Assert.Equal(1, Assert.Single(await hospital.GetConsumableIntentionsAsync(s.BatchId)).Revision);
    }

    [Fact]
    public async Task Bad_rows_are_all_reported_with_row_column_and_code_and_nothing_is_written()
    {
        var s = await ReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        var before = await TableCounts.ReadAsync(Store);
        var csv = $"""
            category_id,manufacturer_id,certificate_number,model,annual_quantity,further_choices
            {Stent},{s.Maker1},CERT-1,DES-1,12.5,
            {Hip},,CERT-2,,-3,
            {Stent},{s.Maker2},CERT-3,DES-3,7,{s.Maker1};;{s.Maker3}
            """;

        var refused = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv(csv), xlsx: false, Limits);

        Assert.False(refused.Accepted);
        Assert.Empty(refused.Intentions);
        Assert.Equal(
            [
                (1, "annual_quantity", ErrorCodes.InvalidField),
                (2, "manufacturer_id", ErrorCodes.RequiredField), (2, "model", ErrorCodes.ConsumableProductIncomplete), (2, "annual_quantity", ErrorCodes.InvalidField),
                (3, "category_id", ErrorCodes.InvalidField), (3, "further_choices", ErrorCodes.InvalidField),
            ],
            refused.Errors.Select(e => (e.Row, e.Field, e.Code)));
        Assert.Contains("row 1", refused.Errors.Single(e => e.Row == 3 && e.Field == "category_id").Message, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(before);

        // Rows that read well but break the grain's rules: the first such row, named by row and column, and nothing written.
        async Task RefusedAsync(string rows, int row, string column, string code)
        {
            var result = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId,
                Csv("category_id,manufacturer_id,certificate_number,model,annual_quantity,consumable_code,further_choices\n" + rows), xlsx: false, Limits);
            Assert.False(result.Accepted);
            Assert.Equal((row, column, code), (result.Errors.Single().Row, result.Errors.Single().Field, result.Errors.Single().Code));
            await AssertNothingWrittenAsync(before);
        }
        await RefusedAsync($"{Hip},{s.Maker1},C,M,1,,\n{Stent},NO-SUCH-FIRM,C,M,1,,\n", 2, "manufacturer_id", ErrorCodes.UnknownReference);
        await RefusedAsync($"{Hip},{s.Maker1},C,M,1,,\nKNEE,{s.Maker1},C,M,1,,\n", 2, "category_id", ErrorCodes.ConsumableCategoryNotInBatch);
        await RefusedAsync($"{Stent},{s.Maker1},C,M,1,C0201,\n", 1, "consumable_code", ErrorCodes.ConsumableCodeLength);
        await RefusedAsync($"{Stent},{s.Maker1},C,M,10000001,,\n", 1, "annual_quantity", ErrorCodes.InvalidField);
        await RefusedAsync($"{Stent},{s.Maker1},C,M,1,,{s.Maker1}\n", 1, "further_choices[0]", ErrorCodes.InvalidField);
        Assert.Empty(await hospital.GetConsumableIntentionsAsync(s.BatchId));
    }

    [Fact]
    public async Task The_whole_file_is_refused_past_its_limits_or_without_its_columns_or_outside_reporting()
    {
        var s = await ReportingAsync();
        var hospital = s.Hospital(s.Hospital1);
        var before = await TableCounts.ReadAsync(Store);
        var header = "category_id,manufacturer_id,certificate_number,model,annual_quantity\n";
        var row = $"{Stent},{s.Maker1},C,M,1\n";

        await Refused.WithAsync(ErrorCodes.TooManyRows,
            () => ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv(header + row + row + row), false, Limits with { MaxRows = 2 }), "file");
        await Refused.WithAsync(ErrorCodes.UploadTooLarge,
            () => UploadParser.BufferAsync(Csv(header + row), null, Limits with { MaxBytes = 10 }, CancellationToken.None), "file");
        await Refused.WithAsync(ErrorCodes.MalformedFile,
            () => ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv("category_id,manufacturer_id,certificate_number,model\n" + $"{Stent},{s.Maker1},C,M\n"), false, Limits), "file");
        await Refused.WithAsync(ErrorCodes.MalformedFile,
            () => ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv("not a workbook"), true, Limits), "file");
        await Refused.WithAsync(ErrorCodes.NotParticipating,
            () => ConsumableIntentionUploadApi.ImportAsync(s.Hospital(s.OutsideHospital), s.BatchId, Csv(header + row), false, Limits), "hospitalId");
        await AssertNothingWrittenAsync(before);
        await s.Batch.CloseVolumeReportingAsync();
        before = await TableCounts.ReadAsync(Store);
        await Refused.WithAsync(ErrorCodes.ReportingClosed,
            () => ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv(header + row), false, Limits), "batchId");
        await AssertNothingWrittenAsync(before);
    }

    [Fact]
    public async Task Below_a_known_history_an_uploaded_row_needs_a_reason()
    {
        var probe = new Scenario(fixture.Cluster.Client, fixture.Clock);
        var category = $"{Stent}-{probe.Tag}";
        // As for single intentions: the history registered under the category's id is the one held to.
        await fixture.Cluster.Client.GetGrain<Procurement.Contracts.Grains.IProductGrain>(category).RegisterAsync(
            new Product(category, "Stent history", "Device", new Specification("1", 1, 1m), []));
        var s = await ReportingAsync(stent: category);
        var hospital = s.Hospital(s.Hospital1);
        await hospital.SetUsageHistoryAsync([new UsageHistory(category, 1_000)]);
        var before = await TableCounts.ReadAsync(Store);
        var header = "category_id,manufacturer_id,certificate_number,model,annual_quantity,below_history_reason\n";

        var refused = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv(header + $"{Hip},{s.Maker1},C,M,5,\n{category},{s.Maker1},C,M,799,\n"), false, Limits);

        Assert.Equal((2, "below_history_reason", ErrorCodes.BelowHistoryNeedsReason), (refused.Errors.Single().Row, refused.Errors.Single().Field, refused.Errors.Single().Code));
        await AssertNothingWrittenAsync(before);
        var stored = await ConsumableIntentionUploadApi.ImportAsync(hospital, s.BatchId, Csv(header + $"{category},{s.Maker1},C,M,799,Fewer PCI cases planned.\n"), false, Limits);
        Assert.True(stored.Accepted);
        Assert.Equal("Fewer PCI cases planned.", stored.Intentions.Single().BelowHistoryReason);
    }

    [Fact]
    public async Task Pages_of_any_size_and_of_one_category_add_up_to_the_whole_demand()
    {
        var s = await ReportingAsync(extra: 7);
        var hospitals = new[] { s.Hospital1, s.Hospital2 }.Concat(Enumerable.Range(0, 7).Select(i => Extra(s, i))).ToList();
        for (var i = 0; i < hospitals.Count; i++)
        {
            // Every hospital states a stent intention; every other one a hip too, one with further choices.
            List<ConsumableIntentionLine> lines = [new(Stent, s.Maker1, $"CERT-{i}", "M", null, 100 + i, i == 0 ? [s.Maker2, s.Maker3] : [], null)];
            if (i % 2 == 0)
            {
                lines.Add(new(Hip, s.Maker2, $"CERT-H{i}", "H", null, 10 + i, [s.Maker1], null));
            }
            await s.Hospital(hospitals[i]).SubmitConsumableIntentionsAsync(s.BatchId, lines);
        }
        var whole = (await s.Batch.GetConsumableDemandAsync()).Categories.SelectMany(c => c.Intentions).ToList();
        Assert.Equal(14, whole.Count);
        static string Key(ConsumableIntention i) => $"{i.CategoryId}|{i.HospitalId}|{i.ManufacturerId}|{i.AnnualQuantity}|{string.Join(';', i.FurtherChoices)}|{i.Revision}";

        async Task<List<ConsumableIntention>> ReadAllAsync(string? category, int limit)
        {
            var read = new List<ConsumableIntention>();
            string? after = null;
            var pages = 0;
            do
            {
                var page = await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(category, after, limit));
                Assert.InRange(page.Intentions.Count, 1, limit);
                Assert.Equal(read.Count + page.Intentions.Count < page.TotalIntentions, page.NextCursor is not null);
                read.AddRange(page.Intentions);
                after = page.NextCursor;
                Assert.True(++pages <= 20, "the pages do not end");
            }
            while (after is not null);
            return read;
        }
        foreach (var limit in new[] { 1, 2, 3, 5, 13, 14, ConsumableDemandPageRequest.MaxLimit })
        {
            var read = await ReadAllAsync(null, limit);
            Assert.Equal(whole.Select(Key).Order(StringComparer.Ordinal), read.Select(Key).Order(StringComparer.Ordinal));
            Assert.Equal(read.Count, read.Select(i => (i.CategoryId, i.HospitalId)).Distinct().Count());
        }
        foreach (var category in new[] { Stent, Hip })
        {
            var read = await ReadAllAsync(category, 2);
            Assert.Equal(whole.Where(i => i.CategoryId == category).Select(Key).Order(StringComparer.Ordinal), read.Select(Key).Order(StringComparer.Ordinal));
            Assert.Equal(read.Count, (await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(category, null, 1))).TotalIntentions);
        }

        // A revision stated between two pages lands where its key is: read once, never skipped.
        var first = await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(Stent, null, 4));
        await s.Hospital(hospitals[0]).SubmitConsumableIntentionsAsync(s.BatchId, [new(Stent, s.Maker3, "CERT-R", "M", null, 999, [], null)]);
        var rest = await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(Stent, first.NextCursor, ConsumableDemandPageRequest.MaxLimit));
        Assert.Equal(9, first.Intentions.Count + rest.Intentions.Count);
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task Bad_limits_cursors_and_categories_are_refused_with_their_codes()
    {
        var s = await ReportingAsync();
        await s.Hospital(s.Hospital1).SubmitConsumableIntentionsAsync(s.BatchId, [new(Stent, s.Maker1, "C", "M", null, 1, [], null), new(Hip, s.Maker1, "C", "M", null, 1, [], null)]);
        await s.Hospital(s.Hospital2).SubmitConsumableIntentionsAsync(s.BatchId, [new(Stent, s.Maker1, "C", "M", null, 1, [], null)]);
        Task Page(string? category, string? after, int limit) => s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(category, after, limit));

        await Refused.WithAsync(ErrorCodes.PageLimitOutOfRange, () => Page(null, null, 0), "limit");
        await Refused.WithAsync(ErrorCodes.PageLimitOutOfRange, () => Page(null, null, -1), "limit");
        await Refused.WithAsync(ErrorCodes.PageLimitOutOfRange, () => Page(null, null, ConsumableDemandPageRequest.MaxLimit + 1), "limit");
        await Refused.WithAsync(ErrorCodes.PageCursorInvalid, () => Page(null, "not-a-cursor!", 10), "after");
        await Refused.WithAsync(ErrorCodes.PageCursorInvalid, () => Page(null, "WyJvbmx5Il0", 10), "after");
        await Refused.WithAsync(ErrorCodes.PageCursorInvalid, () => Page(null, new string('A', 1_001), 10), "after");
        var stentCursor = (await s.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(Stent, null, 1))).NextCursor;
        Assert.NotNull(stentCursor);
        await Refused.WithAsync(ErrorCodes.PageCursorInvalid, () => Page(Hip, stentCursor, 10), "after");
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch, () => Page("KNEE", null, 10), "category");

        // The unpaged read's bound: the whole demand up to 5,000 intentions, a page required above.
        ConsumableDemandPageRequest.RequireUnpagedWithinBound(s.BatchId, ConsumableDemandPageRequest.MaxUnpagedIntentions);
        var error = Assert.Throws<ProcurementException>(() => ConsumableDemandPageRequest.RequireUnpagedWithinBound(s.BatchId, ConsumableDemandPageRequest.MaxUnpagedIntentions + 1));
        Assert.Equal((ErrorCodes.PageRequired, "limit"), (error.Code, error.Field));

        var drugs = new Scenario(fixture.Cluster.Client, fixture.Clock);
        await drugs.OpenReportingAsync();
        await Refused.WithAsync(ErrorCodes.ConsumableCategoryNotInBatch,
            () => drugs.Batch.GetConsumableDemandPageAsync(new ConsumableDemandPageRequest(null, null, 10)), "batchId");
    }
}

public sealed class SqliteConsumableIntentionUploadTests(SqliteClusterFixture fixture) : ConsumableIntentionUploadTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableIntentionUploadTests(PostgresClusterFixture fixture) : ConsumableIntentionUploadTests(fixture), IClassFixture<PostgresClusterFixture>;
