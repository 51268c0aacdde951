using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;
using Procurement.Grains.Batches;

namespace Procurement.Tests.Cluster;

/// <summary>
/// The application's own statements on SQL Server. No SQL Server runs here, so what is verified is
/// the text: every SQL string literal in the grains assembly (found in the IL, so a statement
/// written inline in a method is not missed) and every statement a builder makes is rewritten by
/// the SQL Server dialect exactly as a command's text is at run time, and must then parse with
/// Microsoft's T-SQL parser with zero errors and call only T-SQL's own functions.
/// </summary>
public sealed partial class SqlServerDialectTests
{
    private static readonly SqlServerDialect Dialect = new("Server=localhost;Database=procurement;Integrated Security=true;TrustServerCertificate=true");

    public static TheoryData<string> Literals()
    {
        var data = new TheoryData<string>();
        // A literal with a {0} is a template: what its builder makes of it is in Built.
        foreach (var text in SqlLiterals().Where(t => !t.Contains("{0}", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal))
        {
            data.Add(text);
        }
        return data;
    }

    public static TheoryData<string, string> Built() => new()
    {
        { "PreparedRows, 3 rows", PreparedRows.MultiRowInsertSql("bid_statements", ["bid_id", "\"rule\"", "won"], 3) },
        { "PreparedRows, one row", PreparedRows.SingleRowInsertSql("bid_statements", ["bid_id", "\"rule\"", "won"]) },
        { "migration lock", SqlServerDialect.GetMigrationLockSql },
        { "migration unlock", SqlServerDialect.ReleaseMigrationLockSql },
        { "database collation", SqlServerDialect.DatabaseCollationSql },
        { "completion by agreement, 1 row", UsageRepository.CompletionUpsertSql(byAgreement: true, 1) },
        { "completion by agreement, 3 rows", UsageRepository.CompletionUpsertSql(byAgreement: true, 3) },
        { "completion by hospital, 3 rows", UsageRepository.CompletionUpsertSql(byAgreement: false, 3) },
        { "phase held for share", BatchRepository.SelectPhaseForShareSql(Dialect) },
        { "kept, batch", MonitoringRepository.KeptSql(CompletionLevel.Batch) },
        { "kept, agreement", MonitoringRepository.KeptSql(CompletionLevel.Agreement) },
        { "kept, hospital", MonitoringRepository.KeptSql(CompletionLevel.Hospital) },
        { "kept, product", MonitoringRepository.KeptSql(CompletionLevel.Product) },
        { "recompute, batch", MonitoringRepository.RecomputeSql(CompletionLevel.Batch) },
        { "recompute, by region", MonitoringRepository.RecomputeSql(CompletionLevel.Region) },
        { "rebuild agreements, all", MonitoringRepository.RebuildAgreementsSql(some: false) },
        { "rebuild agreements, some", MonitoringRepository.RebuildAgreementsSql(some: true) },
        { "rebuild hospitals, all", MonitoringRepository.RebuildHospitalsSql(some: false) },
        { "rebuild hospitals, some", MonitoringRepository.RebuildHospitalsSql(some: true) },
    };

    [Fact]
    public void The_scan_finds_the_repositories_statements()
    {
        var literals = SqlLiterals().ToList();

        // Constants, static fields and statements written inline in async lambdas alike.
        Assert.Contains(literals, t => t.Contains("INSERT INTO regions", StringComparison.Ordinal));
        Assert.Contains(literals, t => t.Contains("DELETE FROM hospital_scores", StringComparison.Ordinal));
        Assert.Contains(literals, t => t.Contains("INSERT INTO events", StringComparison.Ordinal));
        Assert.True(literals.Count > 150, $"only {literals.Count} statements found");
        // Statements are whole literals or templates with {0}: a fragment of an interpolated string
        // would escape the parse below (build such text with string.Format from a template).
        Assert.All(literals, t => Assert.True(
            t.TrimStart() == t || t.Contains("{0}", StringComparison.Ordinal),
            $"'{t}' looks like the middle of an interpolated statement"));
    }

    [Theory]
    [MemberData(nameof(Literals))]
    public void Every_statement_in_the_grains_parses_as_TSql(string text) => AssertTransactSql(text, text);

    [Theory]
    [MemberData(nameof(Built))]
    public void Every_built_statement_parses_as_TSql(string name, string text) => AssertTransactSql(name, text);

    [Fact]
    public void A_single_row_upsert_becomes_a_merge_that_holds_the_key_and_puts_the_values_in_place()
    {
        var merge = SqlServerDialect.Rewrite("""
            INSERT INTO tender_batches (batch_id, name, opened_at, updated_at) VALUES (@BatchId, @Name, NULL, @At)
            ON CONFLICT (batch_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
            """);

        Assert.Equal(
            """
            MERGE INTO tender_batches WITH (HOLDLOCK) AS tender_batches
            USING (SELECT @BatchId AS batch_id) AS excluded
               ON tender_batches.batch_id = excluded.batch_id
             WHEN MATCHED THEN UPDATE SET name = @Name, updated_at = @At
             WHEN NOT MATCHED THEN INSERT (batch_id, name, opened_at, updated_at) VALUES (@BatchId, @Name, NULL, @At);
            """.ReplaceLineEndings("\n"),
            merge);
        Parse(merge, "merge");
    }

    [Fact]
    public void A_multi_row_accumulating_upsert_adds_to_the_target_through_its_alias()
    {
        var merge = SqlServerDialect.Rewrite(UsageRepository.CompletionUpsertSql(byAgreement: true, 2));

        Assert.StartsWith("MERGE INTO completion_agreements WITH (HOLDLOCK) AS c\nUSING (VALUES (@p0_0, @p0_1, @p0_2, @p0_3, @p0_4, @p0_5, @p0_6, @p0_7), (@p1_0,", merge);
        Assert.Contains("AS excluded (agreement_id, year_start, batch_id, agreed, counted, surplus, substitutes, spent_e6)", merge);
        Assert.Contains("ON c.agreement_id = excluded.agreement_id AND c.year_start = excluded.year_start", merge);
        Assert.Contains("THEN UPDATE SET agreed = c.agreed + excluded.agreed", merge);
        Assert.EndsWith("VALUES (excluded.agreement_id, excluded.year_start, excluded.batch_id, excluded.agreed, excluded.counted, excluded.surplus, excluded.substitutes, excluded.spent_e6);", merge);
    }

    [Fact]
    public void Do_nothing_and_where_clauses_are_kept()
    {
        var nothing = SqlServerDialect.Rewrite("INSERT INTO regions (region_code, name) VALUES (@Code, @Name) ON CONFLICT (region_code) DO NOTHING");
        var guarded = SqlServerDialect.Rewrite("INSERT INTO regions (region_code, name) VALUES (@Code, @Name) ON CONFLICT (region_code) DO UPDATE SET name = excluded.name WHERE regions.name <> excluded.name");

        Assert.DoesNotContain("WHEN MATCHED", nothing);
        Assert.Contains("WHEN NOT MATCHED THEN INSERT (region_code, name) VALUES (@Code, @Name);", nothing);
        Assert.Contains("WHEN MATCHED AND regions.name <> @Name THEN UPDATE SET name = @Name", guarded);
        Parse(nothing, "nothing");
        Parse(guarded, "guarded");
    }

    [Fact]
    public void Update_returning_becomes_update_output_inserted()
    {
        var update = SqlServerDialect.Rewrite("""
            UPDATE bids
               SET status = @Status, version = version + 1
             WHERE bid_id = @BidId AND status = 0
            RETURNING version
            """);

        Assert.Equal("UPDATE bids\n   SET status = @Status, version = version + 1\nOUTPUT inserted.version\n WHERE bid_id = @BidId AND status = 0", update);
        Parse(update, "update output");
    }

    [Fact]
    public void An_upsert_the_dialect_cannot_rewrite_is_refused_not_sent()
    {
        var error = Assert.Throws<NotSupportedException>(() => SqlServerDialect.Rewrite("INSERT INTO regions (region_code) SELECT code FROM staging ON CONFLICT (region_code) DO NOTHING"));
        Assert.Contains("cannot rewrite", error.Message);
    }

    [Theory]
    [InlineData("Latin1_General_100_BIN2", true)]
    [InlineData("Chinese_PRC_CS_AS", true)]
    [InlineData("SQL_Latin1_General_CP1_CI_AS", false)]
    [InlineData("Chinese_PRC_CI_AS", false)]
    public void Only_a_collation_that_tells_case_apart_is_accepted(string collation, bool accepted) =>
        Assert.Equal(accepted, SqlServerDialect.IsCaseSensitive(collation));

    [Fact]
    public void Multi_row_statements_stay_within_the_parameter_limit()
    {
        // SQL Server refuses more than 2,100 parameters in one command.
        Assert.True(PreparedRows.RowsPerStatement(Dialect, 9, 500) * 9 <= 2_100);
        Assert.True(PreparedRows.RowsPerStatement(Dialect, 12) * 12 <= 2_100);
        Assert.Equal(200, PreparedRows.RowsPerStatement(new PostgresDialect("Host=localhost;Database=x"), 12));
    }

    [Fact]
    public void The_provider_is_accepted_with_a_connection_string_and_named_when_one_is_missing()
    {
        var validator = new StoreOptionsValidator();

        Assert.True(validator.Validate(null, new StoreOptions { Provider = "sqlserver", ConnectionString = "Server=db;Database=procurement" }).Succeeded);
        var missing = validator.Validate(null, new StoreOptions { Provider = "sqlserver" });
        Assert.True(missing.Failed);
        Assert.Contains("Store:ConnectionString", missing.FailureMessage);
        Assert.Contains("'sqlserver'", missing.FailureMessage);
        Assert.IsType<SqlServerDialect>(SqlDialect.Create(new StoreOptions { Provider = "sqlserver", ConnectionString = "Server=db;Database=procurement" }));
    }

    [Fact]
    public void Commands_made_on_a_SqlServer_connection_are_rewritten_when_their_text_is_set()
    {
        using var connection = Dialect.CreateConnection();
        using var command = connection.CreateCommand();

        command.CommandText = "INSERT INTO regions (region_code, name) VALUES (@Code, @Name) ON CONFLICT (region_code) DO UPDATE SET name = excluded.name";

        Assert.StartsWith("MERGE INTO regions WITH (HOLDLOCK)", command.CommandText);
        Assert.IsType<Microsoft.Data.SqlClient.SqlParameter>(command.CreateParameter());
    }

    private static void AssertTransactSql(string name, string text)
    {
        var rewritten = Dialect.Sql(text);
        // Dapper expands a list parameter into one parameter per element on SQL Server.
        var expanded = InList().Replace(rewritten, "IN (${list}1, ${list}2)");
        var script = Parse(expanded, name);
        var calls = new FunctionCalls();
        script.Accept(calls);
        Assert.True(
            calls.Unknown.Count == 0,
            $"{name}: calls functions T-SQL does not have: {string.Join(", ", calls.Unknown)}");
    }

    private static TSqlScript Parse(string text, string name)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var fragment = parser.Parse(new StringReader(text), out var errors);
        Assert.True(errors.Count == 0, $"{name}\n{text}\n{string.Join("; ", errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}"))}");
        return Assert.IsType<TSqlScript>(fragment);
    }

    [GeneratedRegex(@"\bIN (?<list>@\w+)")]
    private static partial Regex InList();

    [GeneratedRegex(@"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\b")]
    private static partial Regex Statement();

    /// <summary>
    /// Every string the grains assembly loads (<c>ldstr</c>) that starts as a statement, from the IL
    /// of every method, constructor and compiler-made state machine, except the other dialects' own.
    /// </summary>
    private static IEnumerable<string> SqlLiterals()
    {
        // The other dialects' own statements, and the SQL Server dialect's pieces of MERGE (its output is tested above).
        var skipped = new[] { typeof(PostgresDialect), typeof(SqliteDialect), typeof(SqlServerDialect) };
        return Il.Bodies(typeof(ProcurementStore).Assembly)
            .Where(b => !skipped.Any(s => b.Method.DeclaringType == s || b.Method.DeclaringType?.DeclaringType == s))
            .SelectMany(b => Il.LoadedStrings(b.Method, b.Body))
            .Where(t => Statement().IsMatch(t));
    }

    /// <summary>Function calls whose name is not one of T-SQL's built-ins that our statements may use.</summary>
    private sealed class FunctionCalls : TSqlFragmentVisitor
    {
        private static readonly HashSet<string> BuiltIns = new(StringComparer.OrdinalIgnoreCase)
        {
            "COUNT", "COUNT_BIG", "SUM", "MIN", "MAX", "AVG", "ABS", "ROUND", "FLOOR", "CEILING", "LEN", "LOWER", "UPPER",
            "SUBSTRING", "REPLACE", "CONCAT", "DATEADD", "DATEDIFF", "ISNULL", "ROW_NUMBER", "RANK", "DENSE_RANK",
            "DB_NAME", "DATABASEPROPERTYEX",
        };

        public List<string> Unknown { get; } = [];

        public override void Visit(FunctionCall node)
        {
            if (node.CallTarget is null && !BuiltIns.Contains(node.FunctionName.Value))
            {
                Unknown.Add(node.FunctionName.Value);
            }
        }
    }
}
