using System.Text;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Consumables;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>
/// The code master data read back through the code grain on each database, after a real import of
/// codes, deactivations and transcodings: pages by prefix that add up to the whole class in code
/// order, the certificate and text filters (a text's % and _ matched as themselves), in use or
/// deactivated, the replacing code, one code looked up, and every bad query refused with its code.
/// </summary>
public abstract class ConsumableCodeSearchTests(ClusterFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("code-search-").FullName;

    // A class of its own per test (C03, subcategory 99, random general class and name), so tests on one database do not see each other's codes.
    private readonly string _class = $"C0399{Random.Shared.Next(10, 99)}{Random.Shared.Next(100, 999)}";

    private IConsumableCodeGrain Codes => fixture.Cluster.Client.GetGrain<IConsumableCodeGrain>(0);

    private string Code(int n) => $"{_class}{n:D17}";

    private async Task ImportAsync(ConsumableCodeFileKind kind, params string[] lines)
    {
        var path = Path.Combine(_folder, $"{kind}-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, string.Join("\n", lines) + "\n", new UTF8Encoding(true));
        var result = await new ConsumableCodeImporter(fixture.Cluster.Database, new ConsumableImportOptions(), TimeProvider.System).ImportAsync(path, kind);
        Assert.True(result.Outcome == ConsumableImportOutcome.Imported, string.Join("; ", result.Errors.Select(e => $"{e.Row} {e.Field} {e.Message}")));
    }

    /// <summary>Seven hip components of two registrants; the last is taken out of use and replaced by the first.</summary>
    private async Task SeedAsync()
    {
        await ImportAsync(ConsumableCodeFileKind.Codes,
            "医保耗材代码,一级分类,二级分类,三级分类（通用名）,耗材材质,规格型号,注册备案人,注册证编号/备案号,单件产品名称",
            $"{Code(1)},骨科材料,关节,髋关节股骨柄,钛合金,柄 12#,北京爱康宜诚医疗器材有限公司,国械注准20173130001,髋关节假体股骨柄",
            $"{Code(2)},骨科材料,关节,髋关节髋臼杯,钛合金,杯 52mm,北京爱康宜诚医疗器材有限公司,国械注准20173130001,髋关节假体髋臼杯",
            $"{Code(3)},骨科材料,关节,髋关节内衬,陶瓷,内衬 36mm,北京爱康宜诚医疗器材有限公司,国械注准20173130001,陶瓷内衬",
            $"{Code(4)},骨科材料,关节,髋关节股骨头,陶瓷,头 36mm,北京爱康宜诚医疗器材有限公司,国械注准20173130002,陶瓷股骨头",
            $"{Code(5)},骨科材料,关节,髋关节股骨柄,钴铬钼,柄 100%_A,Example Orthopaedics Ltd,国械注进20183130003,Hip stem",
            $"{Code(6)},骨科材料,关节,髋关节股骨柄,钴铬钼,柄 100X-A,Example Orthopaedics Ltd,国械注进20183130003,Hip stem",
            $"{Code(7)},骨科材料,关节,髋关节股骨柄,钴铬钼,柄 旧型,Example Orthopaedics Ltd,国械注进20183130003,Hip stem (old)");
        await ImportAsync(ConsumableCodeFileKind.Deactivated, "耗材代码,停用日期,停用原因", $"{Code(7)},2026-06-30,产品注销");
        await ImportAsync(ConsumableCodeFileKind.Transcoding, "原代码,新代码", $"{Code(7)},{Code(5)}", $"{Code(8)},{Code(6)}");
    }

    private static ConsumableCodeQuery Query(string? prefix = null, string? certificate = null, string? text = null, bool? active = null, int limit = 50, string? after = null) =>
        new(prefix, certificate, text, active, limit, after);

    [Fact]
    public async Task Pages_of_a_class_add_up_to_the_whole_class_in_code_order_and_the_last_has_no_next()
    {
        await SeedAsync();
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await Codes.SearchAsync(Query(prefix: _class, limit: 3, after: after));
            Assert.InRange(page.Items.Count, 1, 3);
            seen.AddRange(page.Items.Select(i => i.Code));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(1, 7).Select(Code), seen);
        Assert.Equal(3, pages);
        // A prefix is the start of a code, not a part of it: the class one level up holds these and maybe others; one digit more, none of them.
        Assert.Equal(7, (await Codes.SearchAsync(Query(prefix: _class[..5], limit: 500))).Items.Count(i => i.Code.StartsWith(_class, StringComparison.Ordinal)));
        Assert.Empty((await Codes.SearchAsync(Query(prefix: _class + "1"))).Items);
    }

    [Fact]
    public async Task Certificate_text_and_use_filter_and_a_deactivated_code_shows_when_and_why_and_what_replaces_it()
    {
        await SeedAsync();

        var certificate = await Codes.SearchAsync(Query(certificate: "国械注准20173130001"));
        Assert.Equal([Code(1), Code(2), Code(3)], certificate.Items.Where(i => i.Code.StartsWith(_class, StringComparison.Ordinal)).Select(i => i.Code));

        var ceramic = await Codes.SearchAsync(Query(prefix: _class, text: "陶瓷"));
        Assert.Equal([Code(3), Code(4)], ceramic.Items.Select(i => i.Code));
        // Latin text matches in any case; % and _ are matched as themselves, not as wildcards.
        Assert.Equal([Code(5), Code(6), Code(7)], (await Codes.SearchAsync(Query(prefix: _class, text: "example ORTHO"))).Items.Select(i => i.Code));
        Assert.Equal([Code(5)], (await Codes.SearchAsync(Query(prefix: _class, text: "100%_a"))).Items.Select(i => i.Code));

        var inUse = await Codes.SearchAsync(Query(prefix: _class, active: true));
        Assert.Equal(Enumerable.Range(1, 6).Select(Code), inUse.Items.Select(i => i.Code));
        var old = Assert.Single((await Codes.SearchAsync(Query(prefix: _class, active: false))).Items);
        Assert.Equal((Code(7), false, "2026-06-30", "产品注销", Code(5)), (old.Code, old.Active, old.DeactivatedOn, old.DeactivationReason, old.ReplacedBy));
        Assert.Equal(("骨科材料", "关节", "髋关节股骨柄", "钴铬钼", "柄 旧型", "Example Orthopaedics Ltd", "国械注进20183130003", "Hip stem (old)"),
            (old.CategoryName, old.SubcategoryName, old.GeneralName, old.Material, old.Specification, old.Registrant, old.CertificateNumber, old.ProductName));
        Assert.Equal(("C03", "99"), (old.CategoryCode, old.SubcategoryCode));
    }

    [Fact]
    public async Task One_code_is_looked_up_with_its_replacements_and_a_code_without_a_trace_is_not_found()
    {
        await SeedAsync();

        var stem = await Codes.LookupAsync(Code(5));
        Assert.Equal(Code(5), stem.Entry!.Code);
        Assert.Null(stem.ReplacedBy);
        Assert.Equal([Code(7)], stem.Replaces);

        // Listed only as an old code of the transcoding table: no entry, but where it went.
        var gone = await Codes.LookupAsync(Code(8));
        Assert.Equal((null, Code(6)), (gone.Entry, gone.ReplacedBy));
        Assert.Equal([Code(8)], (await Codes.LookupAsync(Code(6))).Replaces);

        await Refused.WithAsync(ErrorCodes.NotFound, () => Codes.LookupAsync(Code(9)), "code");
        await Refused.WithAsync(ErrorCodes.ConsumableCodeLength, () => Codes.LookupAsync("C0201"), "code");
    }

    [Fact]
    public async Task Bad_queries_are_refused_with_their_codes_and_fields()
    {
        await Refused.WithAsync(ErrorCodes.ConsumableCodeMalformed, () => Codes.SearchAsync(Query(prefix: "X02")), "prefix");
        await Refused.WithAsync(ErrorCodes.ConsumableCodeMalformed, () => Codes.SearchAsync(Query(prefix: "C02A1")), "prefix");
        await Refused.WithAsync(ErrorCodes.ConsumableCodeMalformed, () => Codes.SearchAsync(Query(prefix: Code(1) + "0")), "prefix");
        // A text search over a whole first-level class would read millions of rows: it needs a narrower class or a certificate.
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Codes.SearchAsync(Query(text: "支架")), "text");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Codes.SearchAsync(Query(prefix: "C02", text: "支架")), "text");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => Codes.SearchAsync(Query(prefix: "C0201", text: new string('a', 101))), "text");
        await Refused.WithAsync(ErrorCodes.PageLimitOutOfRange, () => Codes.SearchAsync(Query(prefix: "C02", limit: 0)), "limit");
        await Refused.WithAsync(ErrorCodes.PageLimitOutOfRange, () => Codes.SearchAsync(Query(prefix: "C02", limit: ConsumableCodeQuery.MaxLimit + 1)), "limit");
        await Refused.WithAsync(ErrorCodes.PageCursorInvalid, () => Codes.SearchAsync(Query(prefix: "C02", after: "not-a-code")), "after");
        Assert.Empty((await Codes.SearchAsync(Query(prefix: "C0201", text: "no such words at all"))).Items);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

public sealed class SqliteConsumableCodeSearchTests(SqliteClusterFixture fixture) : ConsumableCodeSearchTests(fixture), IClassFixture<SqliteClusterFixture>;

public sealed class PostgresConsumableCodeSearchTests(PostgresClusterFixture fixture) : ConsumableCodeSearchTests(fixture), IClassFixture<PostgresClusterFixture>;
