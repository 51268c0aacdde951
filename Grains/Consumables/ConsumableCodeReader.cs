using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Consumables;

/// <summary>
/// The code master data read back (deploy/sql/*/0019_consumable_codes.sql). A search reads a range
/// of the primary key: the prefix padded to a whole code with zeros, and with nines (codes are 'C'
/// and digits, which every collation orders alike), so even the 14.7 M rows of a release are read
/// only as far as the page; the certificate has its own index; the text filter only narrows such a
/// range (<see cref="ConsumableCodeQuery.MinTextPrefix"/>). Each page is cut by the database
/// (<see cref="Storage.Dialects.DialectStatements.TakeFirst"/>).
/// </summary>
public sealed class ConsumableCodeReader(ProcurementStore store)
{
    private const string Columns = """
        c.code AS Code, c.category_code AS CategoryCode, c.subcategory_code AS SubcategoryCode, c.general_class_code AS GeneralClassCode,
        c.general_name_code AS GeneralNameCode, c.category_name AS CategoryName, c.subcategory_name AS SubcategoryName, c.general_name AS GeneralName,
        c.material AS Material, c.specification AS Specification, c.registrant AS Registrant, c.certificate_number AS CertificateNumber,
        c.product_name AS ProductName, c.active AS Active, d.deactivated_on AS DeactivatedOn, d.reason AS DeactivationReason, t.new_code AS ReplacedBy
          FROM consumable_codes c
          LEFT JOIN consumable_deactivated_codes d ON d.code = c.code
          LEFT JOIN consumable_transcodings t ON t.old_code = c.code
        """;

    private const string SelectCodesSql = "SELECT " + Columns;

    private const string SelectCodeSql = SelectCodesSql + " WHERE c.code = @Code";

    private const string SelectReplacementSql = "SELECT new_code FROM consumable_transcodings WHERE old_code = @Code";

    private const string SelectReplacedSql = "SELECT old_code FROM consumable_transcodings WHERE new_code = @Code ORDER BY old_code";

    private const string TextFilter = """
        (LOWER(c.general_name) LIKE @Like ESCAPE '\' OR LOWER(c.product_name) LIKE @Like ESCAPE '\'
         OR LOWER(c.registrant) LIKE @Like ESCAPE '\' OR LOWER(c.specification) LIKE @Like ESCAPE '\' OR LOWER(c.material) LIKE @Like ESCAPE '\')
        """;

    /// <summary>
    /// The search's statement: the codes with only the filters the query has (each a fixed text,
    /// its values parameters), in code order, cut at <c>@Take</c> rows by <paramref name="takeFirst"/>.
    /// </summary>
    public static string SearchSql(ConsumableCodeQuery query, string takeFirst)
    {
        var filters = new List<string>();
        if (query.Prefix is not null)
        {
            filters.Add("c.code >= @Low AND c.code <= @High");
        }
        if (query.After is not null)
        {
            filters.Add("c.code > @After");
        }
        if (query.CertificateNumber is not null)
        {
            filters.Add("c.certificate_number = @CertificateNumber");
        }
        if (query.Active is not null)
        {
            filters.Add("c.active = @Active");
        }
        if (query.Text is not null)
        {
            filters.Add(TextFilter);
        }
        return SelectCodesSql + (filters.Count == 0 ? "" : " WHERE " + string.Join(" AND ", filters)) + " ORDER BY c.code " + takeFirst;
    }

    public Task<ConsumableCodePage> SearchAsync(ConsumableCodeQuery query) =>
        store.ReadAsync(async connection =>
        {
            // One row more than the page says whether another page follows.
            var rows = (await connection.QueryAsync<Row>(SearchSql(query, store.Dialect.Statements.TakeFirst), new
            {
                Low = query.Prefix?.PadRight(ConsumableCode.Length, '0'),
                High = query.Prefix?.PadRight(ConsumableCode.Length, '9'),
                query.After,
                query.CertificateNumber,
                query.Active,
                Like = query.Text is null ? null : "%" + Escape(query.Text.ToLowerInvariant()) + "%",
                Take = query.Limit + 1,
            })).Select(r => r.Entry()).ToList();
            var more = rows.Count > query.Limit;
            if (more)
            {
                rows.RemoveAt(rows.Count - 1);
            }
            return new ConsumableCodePage(rows, more ? rows[^1].Code : null);
        });

    public Task<ConsumableCodeLookup?> LookupAsync(string code) =>
        store.ReadAsync(async connection =>
        {
            var entry = (await connection.QuerySingleOrDefaultAsync<Row>(SelectCodeSql, new { Code = code }))?.Entry();
            var replacedBy = entry?.ReplacedBy ?? await connection.QuerySingleOrDefaultAsync<string>(SelectReplacementSql, new { Code = code });
            var replaces = (await connection.QueryAsync<string>(SelectReplacedSql, new { Code = code })).ToList();
            return entry is null && replacedBy is null && replaces.Count == 0 ? null : new ConsumableCodeLookup(code, entry, replacedBy, replaces);
        });

    private sealed class Row
    {
        public string Code { get; set; } = "";
        public string CategoryCode { get; set; } = "";
        public string SubcategoryCode { get; set; } = "";
        public string GeneralClassCode { get; set; } = "";
        public string GeneralNameCode { get; set; } = "";
        public string? CategoryName { get; set; }
        public string? SubcategoryName { get; set; }
        public string? GeneralName { get; set; }
        public string? Material { get; set; }
        public string Specification { get; set; } = "";
        public string Registrant { get; set; } = "";
        public string CertificateNumber { get; set; } = "";
        public string? ProductName { get; set; }
        public bool Active { get; set; }
        public string? DeactivatedOn { get; set; }
        public string? DeactivationReason { get; set; }
        public string? ReplacedBy { get; set; }

        public ConsumableCodeEntry Entry() => new(Code, CategoryCode, SubcategoryCode, GeneralClassCode, GeneralNameCode, CategoryName, SubcategoryName,
            GeneralName, Material, Specification, Registrant, CertificateNumber, ProductName, Active, DeactivatedOn, DeactivationReason, ReplacedBy);
    }

    /// <summary>The text as a literal inside LIKE: its own % and _ (and the escape) matched as themselves.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
