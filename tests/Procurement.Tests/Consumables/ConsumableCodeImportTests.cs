using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MiniExcelLibs;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Text;
using Procurement.Grains.Consumables;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// The code master data importer on a real SQLite file and the throwaway PostgreSQL: good CSV and
/// XLSX files imported, a file with bad rows refused with every row's error and nothing written,
/// the same file skipped once imported, a refused file fixed and run again, the deactivated and
/// transcoding tables, and the limits.
/// </summary>
public sealed class ConsumableCodeImportTests : IDisposable
{
    private const string ChineseHeader = "医保耗材代码,一级分类,二级分类,三级分类（通用名）,耗材材质,规格型号,注册备案人,注册证编号/备案号,单件产品名称";

    private readonly string _folder = Directory.CreateTempSubdirectory("consumable-codes-").FullName;

    /// <summary>A valid code: category C{category}, the rest from <paramref name="n"/>.</summary>
    private static string Code(int category, long n) => $"C{category:D2}0101001{n:D17}";

    private static string CodeRow(string code, string registrant = "微创医疗器械（上海）有限公司", string model = "3.0×18mm") =>
        $"{code},血管介入治疗类材料,血管支架,冠状动脉药物洗脱支架,钴铬合金,{model},{registrant},国械注准20153130000,冠脉雷帕霉素洗脱钴基合金支架系统";

    private string Csv(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        return path;
    }

    private static async Task<ProcurementStore> StoreAsync(string provider) =>
        await Task.Run(() => new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance));

    private static ConsumableCodeImporter Importer(ProcurementStore store, ConsumableImportOptions? options = null) =>
        new(store, options ?? new ConsumableImportOptions { RowsPerChunk = 2 }, TimeProvider.System);

    private static Task<long> CountAsync(ProcurementStore store, string table) =>
        store.ReadAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"));

    private static Task<List<(string Status, int RowCount, int ErrorCount)>> RunsAsync(ProcurementStore store) =>
        store.ReadAsync(async c => (await c.QueryAsync<(string, int, int)>("SELECT status, row_count, error_count FROM consumable_import_runs ORDER BY started_at, finished_at")).ToList());

    /// <summary>Asserts the file was imported, showing the errors of one that was not.</summary>
    private static void Imported(ConsumableImportResult result) =>
        Assert.True(result.Outcome == ConsumableImportOutcome.Imported,
            $"{result.FileName}: {result.Outcome}: " + string.Join("; ", result.Errors.Select(e => $"row {e.Row} {e.Field} {e.Code} {e.Message}")));

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_good_csv_with_the_release_headers_is_imported_in_parts_and_the_same_file_again_is_skipped(string provider)
    {
        await using var store = await StoreAsync(provider);
        var importer = Importer(store);
        var file = Csv("codes.csv", ChineseHeader, CodeRow(Code(2, 1)), CodeRow(Code(2, 2)), "", CodeRow(Code(3, 3), model: "\"Φ28, 长度 52\""));

        var result = await importer.ImportAsync(file, ConsumableCodeFileKind.Codes);

        Imported(result);
        Assert.Equal(3, result.Rows);
        Assert.Empty(result.Errors);
        Assert.Equal(64, result.Sha256.Length);
        var rows = await store.ReadAsync(async c => (await c.QueryAsync<(string Code, string Category, string Subcategory, string GeneralClass, string GeneralNameCode, string GeneralName, string Specification, string Registrant, string Certificate, string Product)>("""
            SELECT code, category_code, subcategory_code, general_class_code, general_name_code, general_name, specification, registrant, certificate_number, product_name
              FROM consumable_codes ORDER BY code
            """)).ToList());
        Assert.Equal([Code(2, 1), Code(2, 2), Code(3, 3)], rows.Select(r => r.Code));
        Assert.Equal(["C02", "C02", "C03"], rows.Select(r => r.Category));
        Assert.All(rows, r => Assert.Equal(("01", "01", "001"), (r.Subcategory, r.GeneralClass, r.GeneralNameCode)));
        Assert.Equal("冠状动脉药物洗脱支架", rows[0].GeneralName);
        Assert.Equal("微创医疗器械（上海）有限公司", rows[0].Registrant);
        Assert.Equal("国械注准20153130000", rows[0].Certificate);
        Assert.Equal("冠脉雷帕霉素洗脱钴基合金支架系统", rows[0].Product);
        Assert.Equal("Φ28, 长度 52", rows[2].Specification);
        Assert.Equal(3, await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_codes WHERE active = @Active", new { Active = true })));

        var again = await importer.ImportAsync(file, ConsumableCodeFileKind.Codes);

        Assert.Equal(ConsumableImportOutcome.AlreadyImported, again.Outcome);
        Assert.Equal(result.Sha256, again.Sha256);
        Assert.Equal(3, await CountAsync(store, "consumable_codes"));
        Assert.Equal([("Completed", 3, 0)], await RunsAsync(store));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_good_xlsx_with_english_headers_is_imported(string provider)
    {
        await using var store = await StoreAsync(provider);
        var path = Path.Combine(_folder, "codes.xlsx");
        var sheet = Enumerable.Range(1, 5).Select(n => new Dictionary<string, object>
        {
            ["Consumable code"] = Code(1, n),
            ["Category"] = "Non-vascular interventional",
            ["General name"] = "Biliary stent",
            ["Material"] = "Nitinol",
            ["Specification/model"] = $"8x{40 + n}mm",
            ["Registrant"] = "Example Medical Ltd",
            ["Certificate number"] = "国械注进20173460001",
            ["Product name"] = "Self-expanding biliary stent",
            ["Remarks"] = "ignored",
        }).ToList();
        MiniExcel.SaveAs(path, sheet);

        var result = await Importer(store).ImportAsync(path, ConsumableCodeFileKind.Codes);

        Imported(result);
        Assert.Equal(5, result.Rows);
        Assert.Equal(5, await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_codes WHERE category_code = 'C01' AND material = 'Nitinol' AND registrant = 'Example Medical Ltd'")));
        Assert.Equal("8x43mm", await store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT specification FROM consumable_codes WHERE code = @Code", new { Code = Code(1, 3) })));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_file_of_thousands_of_rows_is_written_across_chunks_and_replaced_whole_when_imported_again(string provider)
    {
        await using var store = await StoreAsync(provider);
        var importer = Importer(store, new ConsumableImportOptions());
        var first = Csv("large.csv", [ChineseHeader, .. Enumerable.Range(1, 2_500).Select(n => CodeRow(Code(3, n)))]);
        var second = Csv("large-2.csv", [ChineseHeader, .. Enumerable.Range(1, 2_500).Select(n => CodeRow(Code(3, n), model: $"M{n}"))]);

        Imported(await importer.ImportAsync(first, ConsumableCodeFileKind.Codes));
        Imported(await importer.ImportAsync(second, ConsumableCodeFileKind.Codes));

        Assert.Equal(2_500, await CountAsync(store, "consumable_codes"));
        Assert.Equal(2_500, await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_codes WHERE specification LIKE 'M%'")));
        Assert.Equal("M2500", await store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT specification FROM consumable_codes WHERE code = @Code", new { Code = Code(3, 2_500) })));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_deactivated_xlsx_with_date_cells_is_imported(string provider)
    {
        await using var store = await StoreAsync(provider);
        var path = Path.Combine(_folder, "停用代码.xlsx");
        MiniExcel.SaveAs(path, new[]
        {
            new Dictionary<string, object> { ["序号"] = 1, ["医保耗材代码"] = Code(2, 1), ["停用日期"] = new DateTime(2025, 12, 31), ["停用原因"] = "注册证注销" },
            new Dictionary<string, object> { ["序号"] = 2, ["医保耗材代码"] = Code(2, 2), ["停用日期"] = "2026-01-05", ["停用原因"] = "" },
        });

        var result = await Importer(store).ImportAsync(path, ConsumableCodeFileKind.Deactivated);

        Imported(result);
        var kept = await store.ReadAsync(async c => (await c.QueryAsync<(string Code, string On, string? Reason)>("SELECT code, deactivated_on, reason FROM consumable_deactivated_codes ORDER BY code")).ToList());
        Assert.Equal([(Code(2, 1), "2025-12-31", "注册证注销"), (Code(2, 2), "2026-01-05", null)], kept);
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_file_with_bad_rows_reports_every_row_writes_nothing_and_imports_once_fixed(string provider)
    {
        await using var store = await StoreAsync(provider);
        var importer = Importer(store);
        var bad = Csv("bad.csv",
            ChineseHeader,
            CodeRow(Code(2, 1)),
            CodeRow("C0201010010000000000000002"),
            CodeRow("C00010100100000000000000003"),
            CodeRow(Code(2, 4), registrant: ""),
            CodeRow(Code(2, 5)),
            CodeRow(Code(2, 5)),
            "",
            CodeRow(Code(2, 7)),
            CodeRow(Code(2, 8), model: ""));

        var refused = await importer.ImportAsync(bad, ConsumableCodeFileKind.Codes);

        Assert.Equal(ConsumableImportOutcome.Refused, refused.Outcome);
        Assert.Equal(0, refused.Rows);
        Assert.Equal(
            [
                (2, "code", ErrorCodes.ConsumableCodeLength),
                (3, "code.category", ErrorCodes.ConsumableCodeCategory),
                (4, "registrant", ErrorCodes.RequiredField),
                (6, "code", ErrorCodes.ConsumableCodeRepeated),
                (9, "specification", ErrorCodes.RequiredField),
            ],
            refused.Errors.Select(e => (e.Row, e.Field, e.Code)));
        Assert.Contains("also in row 5", refused.Errors[3].Message, StringComparison.Ordinal);
        Assert.Equal(0, refused.MoreErrors);
        Assert.Equal(0, await CountAsync(store, "consumable_codes"));
        Assert.Equal([("Failed", 8, 5)], await RunsAsync(store));

        // A refused file is not taken for imported: run again, it is refused again.
        Assert.Equal(ConsumableImportOutcome.Refused, (await importer.ImportAsync(bad, ConsumableCodeFileKind.Codes)).Outcome);

        var fixedFile = Csv("bad.csv",
            ChineseHeader,
            CodeRow(Code(2, 1)),
            CodeRow(Code(2, 2)),
            CodeRow(Code(2, 3)),
            CodeRow(Code(2, 4)),
            CodeRow(Code(2, 5)),
            CodeRow(Code(2, 6)),
            CodeRow(Code(2, 7)));
        var imported = await importer.ImportAsync(fixedFile, ConsumableCodeFileKind.Codes);

        Imported(imported);
        Assert.Equal(7, await CountAsync(store, "consumable_codes"));
        Assert.Equal(ConsumableImportOutcome.AlreadyImported, (await importer.ImportAsync(fixedFile, ConsumableCodeFileKind.Codes)).Outcome);
    }

    /// <summary>A trigger that makes the database refuse the insert of one code, as a failure halfway through a file.</summary>
    private static string RefuseInsertOf(string provider, string code) => provider == StoreProviders.PostgreSql
        ? $"""
          CREATE FUNCTION refuse_code() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.code = '{code}' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$;
          CREATE TRIGGER refuse_code BEFORE INSERT ON consumable_codes FOR EACH ROW EXECUTE FUNCTION refuse_code();
          """
        : $"""
          CREATE TRIGGER refuse_code BEFORE INSERT ON consumable_codes WHEN NEW.code = '{code}'
          BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;
          """;

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_file_that_fails_halfway_in_the_database_leaves_nothing_and_imports_when_run_again(string provider)
    {
        await using var store = await StoreAsync(provider);
        var importer = Importer(store);
        var file = Csv("codes.csv", [ChineseHeader, .. Enumerable.Range(1, 9).Select(n => CodeRow(Code(2, n)))]);
        await store.ReadAsync(c => c.ExecuteAsync(RefuseInsertOf(provider, Code(2, 8))));

        var failed = await importer.ImportAsync(file, ConsumableCodeFileKind.Codes);

        Assert.Equal(ConsumableImportOutcome.Refused, failed.Outcome);
        Assert.Equal([(0, "file", ErrorCodes.StoreFailure)], failed.Errors.Select(e => (e.Row, e.Field, e.Code)));
        Assert.Equal(0, await CountAsync(store, "consumable_codes"));
        Assert.Equal([("Failed", 9, 1)], await RunsAsync(store));

        await store.ReadAsync(c => c.ExecuteAsync("DROP TRIGGER refuse_code" + (provider == StoreProviders.PostgreSql ? " ON consumable_codes" : "")));
        var again = await importer.ImportAsync(file, ConsumableCodeFileKind.Codes);

        Imported(again);
        Assert.Equal(failed.Sha256, again.Sha256);
        Assert.Equal(9, await CountAsync(store, "consumable_codes"));
        Assert.Equal([("Failed", 9, 1), ("Completed", 9, 0)], await RunsAsync(store));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Deactivated_codes_stay_inactive_transcodings_are_kept_and_a_code_imported_again_is_updated(string provider)
    {
        await using var store = await StoreAsync(provider);
        var importer = Importer(store);
        Imported(await importer.ImportAsync(Csv("codes.csv", ChineseHeader, CodeRow(Code(2, 1)), CodeRow(Code(2, 2)), CodeRow(Code(2, 3))), ConsumableCodeFileKind.Codes));

        var deactivated = await importer.ImportAsync(Csv("deactivated.csv",
            "耗材代码,停用日期,停用原因",
            $"{Code(2, 1)},2025-12-31,注册证过期",
            $"{Code(2, 9)},2026/1/5,"), ConsumableCodeFileKind.Deactivated);
        var transcoding = await importer.ImportAsync(Csv("transcoding.csv",
            "原代码,新代码",
            $"{Code(2, 1)},{Code(2, 3)}"), ConsumableCodeFileKind.Transcoding);

        Imported(deactivated);
        Imported(transcoding);
        Assert.Equal((2, 1), (deactivated.Rows, transcoding.Rows));
        var kept = await store.ReadAsync(async c => (await c.QueryAsync<(string Code, string On, string? Reason)>("SELECT code, deactivated_on, reason FROM consumable_deactivated_codes ORDER BY code")).ToList());
        Assert.Equal([(Code(2, 1), "2025-12-31", "注册证过期"), (Code(2, 9), "2026-01-05", null)], kept);
        Assert.Equal(Code(2, 3), await store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT new_code FROM consumable_transcodings WHERE old_code = @Old", new { Old = Code(2, 1) })));
        async Task<List<string>> InactiveAsync() =>
            await store.ReadAsync(async c => (await c.QueryAsync<string>("SELECT code FROM consumable_codes WHERE active = @Active ORDER BY code", new { Active = false })).ToList());
        Assert.Equal([Code(2, 1)], await InactiveAsync());

        var updated = await importer.ImportAsync(Csv("codes-2.csv", ChineseHeader, CodeRow(Code(2, 1), registrant: "新注册人有限公司"), CodeRow(Code(2, 2), model: "4.0×38mm")), ConsumableCodeFileKind.Codes);

        Imported(updated);
        Assert.Equal(3, await CountAsync(store, "consumable_codes"));
        Assert.Equal("新注册人有限公司", await store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT registrant FROM consumable_codes WHERE code = @Code", new { Code = Code(2, 1) })));
        Assert.Equal("4.0×38mm", await store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT specification FROM consumable_codes WHERE code = @Code", new { Code = Code(2, 2) })));
        Assert.Equal([Code(2, 1)], await InactiveAsync());
    }

    private sealed record StoredCode(
        string Code, string CategoryCode, string SubcategoryCode, string GeneralClassCode, string GeneralNameCode, string? CategoryName, string? SubcategoryName,
        string? GeneralName, string? Material, string Specification, string Registrant, string CertificateNumber, string? ProductName);

    private static Task<List<string>> InactiveCodesAsync(ProcurementStore store) =>
        store.ReadAsync(async c => (await c.QueryAsync<string>("SELECT code FROM consumable_codes WHERE active = @Active ORDER BY code", new { Active = false })).ToList());

    private static Task<List<StoredCode>> CodeTableAsync(ProcurementStore store) =>
        store.ReadAsync(async c => (await c.QueryAsync<StoredCode>("""
            SELECT code AS Code, category_code AS CategoryCode, subcategory_code AS SubcategoryCode, general_class_code AS GeneralClassCode,
                   general_name_code AS GeneralNameCode, category_name AS CategoryName, subcategory_name AS SubcategoryName, general_name AS GeneralName,
                   material AS Material, specification AS Specification, registrant AS Registrant, certificate_number AS CertificateNumber,
                   product_name AS ProductName
              FROM consumable_codes ORDER BY code
            """)).ToList());

    /// <summary>
    /// What a sequence of files leaves, worked out by hand as the importer has always defined it:
    /// each code's row is the one of the last codes file that lists it (a row imported again is
    /// replaced whole, a code a later file leaves out is kept), and a code is active unless the
    /// deactivated table names it, whichever file came first.
    /// </summary>
    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Importing_again_a_file_that_changes_some_rows_after_a_deactivated_file_leaves_the_table_the_files_define(string provider)
    {
        await using var store = await StoreAsync(provider);
        // Chunks of 2 rows: changed, new and deactivated codes fall in the same and in different chunks.
        var importer = Importer(store);
        static string Row(long n, string model, string? material = "钴铬合金") =>
            $"{Code(2, n)},血管介入治疗类材料,血管支架,冠状动脉药物洗脱支架,{material},{model},企业{n}有限公司,国械注准2015313{n:D4},冠脉药物洗脱支架系统";
        Imported(await importer.ImportAsync(Csv("codes-1.csv", [ChineseHeader, .. Enumerable.Range(1, 7).Select(n => Row(n, $"A{n}"))]), ConsumableCodeFileKind.Codes));
        // Codes 2 and 5 deactivated while in the table, 9 before it is.
        Imported(await importer.ImportAsync(Csv("deactivated.csv", "耗材代码,停用日期,停用原因", $"{Code(2, 2)},2025-12-31,注销", $"{Code(2, 5)},2025-12-31,注销", $"{Code(2, 9)},2026-01-05,"), ConsumableCodeFileKind.Deactivated));
        Imported(await importer.ImportAsync(Csv("transcoding.csv", "原代码,新代码", $"{Code(2, 2)},{Code(2, 8)}"), ConsumableCodeFileKind.Transcoding));

        // The second release: 1 unchanged, 2 (deactivated) and 3 changed, 4 with its material cleared, 5 left out, 8 and 9 (deactivated) new.
        Imported(await importer.ImportAsync(Csv("codes-2.csv", ChineseHeader, Row(1, "A1"), Row(2, "B2"), Row(3, "B3"), Row(4, "A4", material: ""), Row(8, "B8"), Row(9, "B9"), Row(6, "A6"), Row(7, "A7")), ConsumableCodeFileKind.Codes));
        Imported(await importer.ImportAsync(Csv("transcoding-2.csv", "原代码,新代码", $"{Code(2, 2)},{Code(2, 3)}", $"{Code(2, 5)},{Code(2, 8)}"), ConsumableCodeFileKind.Transcoding));

        StoredCode Expected(long n, string model, string? material) =>
            new(Code(2, n), "C02", "01", "01", "001", "血管介入治疗类材料", "血管支架", "冠状动脉药物洗脱支架", material, model, $"企业{n}有限公司", $"国械注准2015313{n:D4}", "冠脉药物洗脱支架系统");
        Assert.Equal(
            [
                Expected(1, "A1", "钴铬合金"),
                Expected(2, "B2", "钴铬合金"),
                Expected(3, "B3", "钴铬合金"),
                Expected(4, "A4", null),
                Expected(5, "A5", "钴铬合金"),
                Expected(6, "A6", "钴铬合金"),
                Expected(7, "A7", "钴铬合金"),
                Expected(8, "B8", "钴铬合金"),
                Expected(9, "B9", "钴铬合金"),
            ],
            await CodeTableAsync(store));
        Assert.Equal([Code(2, 2), Code(2, 5), Code(2, 9)], await InactiveCodesAsync(store));
        var transcodings = await store.ReadAsync(async c => (await c.QueryAsync<(string Old, string New)>("SELECT old_code, new_code FROM consumable_transcodings ORDER BY old_code")).ToList());
        Assert.Equal([(Code(2, 2), Code(2, 3)), (Code(2, 5), Code(2, 8))], transcodings);

        // A deactivated file imported again with a new date and a code more keeps one row per code and deactivates the new one.
        Imported(await importer.ImportAsync(Csv("deactivated-2.csv", "耗材代码,停用日期,停用原因", $"{Code(2, 2)},2026-02-01,过期", $"{Code(2, 7)},2026-02-01,过期"), ConsumableCodeFileKind.Deactivated));
        var deactivated = await store.ReadAsync(async c => (await c.QueryAsync<(string Code, string On, string? Reason)>("SELECT code, deactivated_on, reason FROM consumable_deactivated_codes ORDER BY code")).ToList());
        Assert.Equal([(Code(2, 2), "2026-02-01", "过期"), (Code(2, 5), "2025-12-31", "注销"), (Code(2, 7), "2026-02-01", "过期"), (Code(2, 9), "2026-01-05", null)], deactivated);
        Assert.Equal([Code(2, 2), Code(2, 5), Code(2, 7), Code(2, 9)], await InactiveCodesAsync(store));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task Bad_deactivated_and_transcoding_rows_are_reported_and_nothing_is_written(string provider)
    {
        await using var store = await StoreAsync(provider);
        var importer = Importer(store);

        var deactivated = await importer.ImportAsync(Csv("deactivated.csv",
            "code,deactivated on,reason",
            $"{Code(2, 1)},31.12.2025,x",
            $"{Code(2, 2)},,y",
            $"{Code(2, 3)},2025-12-31,z"), ConsumableCodeFileKind.Deactivated);
        var transcoding = await importer.ImportAsync(Csv("transcoding.csv",
            "old code,new code",
            $"{Code(2, 1)},{Code(2, 1)}",
            $"{Code(2, 2)},C02",
            $"{Code(2, 3)},{Code(2, 4)}",
            $"{Code(2, 3)},{Code(2, 5)}"), ConsumableCodeFileKind.Transcoding);

        Assert.Equal(
            [(1, "deactivated_on", ErrorCodes.InvalidField), (2, "deactivated_on", ErrorCodes.RequiredField)],
            deactivated.Errors.Select(e => (e.Row, e.Field, e.Code)));
        Assert.Equal(
            [(1, "new_code", ErrorCodes.InvalidField), (2, "new_code", ErrorCodes.ConsumableCodeLength), (4, "old_code", ErrorCodes.ConsumableCodeRepeated)],
            transcoding.Errors.Select(e => (e.Row, e.Field, e.Code)));
        Assert.Equal(0, await CountAsync(store, "consumable_deactivated_codes"));
        Assert.Equal(0, await CountAsync(store, "consumable_transcodings"));
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_file_without_a_required_column_or_past_the_limits_is_refused_whole(string provider)
    {
        await using var store = await StoreAsync(provider);

        var noRegistrant = await Importer(store).ImportAsync(Csv("no-registrant.csv", "医保耗材代码,规格型号,注册证编号", $"{Code(2, 1)},3.0mm,国械注准1"), ConsumableCodeFileKind.Codes);
        Assert.Equal([(0, "registrant", ErrorCodes.MalformedFile)], noRegistrant.Errors.Select(e => (e.Row, e.Field, e.Code)));

        var manyBad = Csv("many-bad.csv", [ChineseHeader, .. Enumerable.Range(1, 5).Select(n => CodeRow($"C02{n}"))]);
        var capped = await Importer(store, new ConsumableImportOptions { MaxErrors = 2 }).ImportAsync(manyBad, ConsumableCodeFileKind.Codes);
        Assert.Equal([1, 2], capped.Errors.Select(e => e.Row));
        Assert.Equal(3, capped.MoreErrors);

        var tooMany = await Importer(store, new ConsumableImportOptions { MaxRowsPerFile = 2 })
            .ImportAsync(Csv("too-many.csv", ChineseHeader, CodeRow(Code(2, 1)), CodeRow(Code(2, 2)), CodeRow(Code(2, 3))), ConsumableCodeFileKind.Codes);
        Assert.Equal([(3, "file", ErrorCodes.TooManyRows)], tooMany.Errors.Select(e => (e.Row, e.Field, e.Code)));

        var tooLarge = await Importer(store, new ConsumableImportOptions { MaxFileBytes = 10 })
            .ImportAsync(Csv("too-large.csv", ChineseHeader, CodeRow(Code(2, 1))), ConsumableCodeFileKind.Codes);
        Assert.Equal([(0, "file", ErrorCodes.UploadTooLarge)], tooLarge.Errors.Select(e => (e.Row, e.Field, e.Code)));

        var notAWorkbook = Path.Combine(_folder, "not.xlsx");
        await File.WriteAllTextAsync(notAWorkbook, "医保耗材代码\n");
        var unreadable = await Importer(store).ImportAsync(notAWorkbook, ConsumableCodeFileKind.Codes);
        Assert.Equal([(0, "file", ErrorCodes.MalformedFile)], unreadable.Errors.Select(e => (e.Row, e.Field, e.Code)));

        Assert.Equal(0, await CountAsync(store, "consumable_codes"));
        Assert.All(await RunsAsync(store), r => Assert.Equal("Failed", r.Status));
    }

    private string Gb18030Csv(string name, params string[] lines)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, CsvEncoding.Gb18030.GetBytes(string.Join("\r\n", lines) + "\r\n"));
        return path;
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_csv_saved_in_gb18030_by_a_chinese_desktop_is_read_as_gb18030_and_its_names_stored_as_written(string provider)
    {
        await using var store = await StoreAsync(provider);
        var file = Gb18030Csv("codes-gbk.csv", ChineseHeader, CodeRow(Code(2, 1)), CodeRow(Code(2, 2), registrant: "乐普（北京）医疗器械股份有限公司"));
        // Not UTF-8: read as UTF-8 every name would be replacement characters.
        Assert.Throws<DecoderFallbackException>(() => CsvEncoding.StrictUtf8.GetString(File.ReadAllBytes(file)));

        var result = await Importer(store).ImportAsync(file, ConsumableCodeFileKind.Codes);

        Imported(result);
        Assert.Equal(2, result.Rows);
        var registrants = await store.ReadAsync(async c => (await c.QueryAsync<(string GeneralName, string Registrant)>(
            "SELECT general_name, registrant FROM consumable_codes ORDER BY code")).ToList());
        Assert.Equal([("冠状动脉药物洗脱支架", "微创医疗器械（上海）有限公司"), ("冠状动脉药物洗脱支架", "乐普（北京）医疗器械股份有限公司")], registrants);
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_csv_that_is_utf8_at_its_start_and_gb18030_past_it_is_refused_with_file_encoding_and_nothing_written(string provider)
    {
        await using var store = await StoreAsync(provider);
        // More than the sample of ASCII rows (registrant and names in Latin letters), then one row in GB18030.
        var ascii = Enumerable.Range(1, CsvEncoding.SampleBytes / 90 + 10)
            .Select(n => $"{Code(2, n)},Vascular,Stent,Coronary DES,CoCr,3.0x18mm,Example Medical Ltd,CERT-{n},Coronary stent system")
            .ToList();
        var path = Path.Combine(_folder, "mixed.csv");
        var text = Encoding.ASCII.GetBytes(string.Join("\n", ["code,category,subcategory,general name,material,specification/model,registrant,certificate number,product name", .. ascii]) + "\n");
        Assert.True(text.Length > CsvEncoding.SampleBytes);
        File.WriteAllBytes(path, [.. text, .. CsvEncoding.Gb18030.GetBytes($"{Code(2, 999_999)},血管,支架,冠脉,钴铬,3.0×18mm,乐普医疗,CERT-X,支架系统\n")]);

        var result = await Importer(store).ImportAsync(path, ConsumableCodeFileKind.Codes);

        Assert.Equal(ConsumableImportOutcome.Refused, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal((ErrorCodes.FileEncoding, "file"), (error.Code, error.Field));
        // The row named is the last one read before the text stopped decoding (the reader decodes ahead of the rows it hands out).
        var past = System.Text.RegularExpressions.Regex.Match(error.Message, "not valid UTF-8 past its row ([0-9]+)");
        Assert.True(past.Success, error.Message);
        Assert.InRange(int.Parse(past.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), ascii.Count - 1_000, ascii.Count);
        Assert.Equal(0, await CountAsync(store, "consumable_codes"));
        Assert.Equal("Failed", Assert.Single(await RunsAsync(store)).Status);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
