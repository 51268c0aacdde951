using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Storage;
using Procurement.Grains.Storage.Dialects;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>
/// The application's own statements on SQL Server. No SQL Server runs here, so what is verified is
/// the text: every named statement of the grains assembly (a constant, or a statement of SQL
/// Server's <see cref="DialectStatements"/> set) and every statement a builder makes must parse
/// with Microsoft's T-SQL parser with zero errors and call only T-SQL's own functions. The IL of
/// the grains shows that no statement is written anywhere but in a named one.
/// </summary>
public sealed partial class SqlServerDialectTests
{
    private static readonly SqlServerDialect Dialect = new("Server=localhost;Database=procurement;Integrated Security=true;TrustServerCertificate=true");

    private static readonly DialectStatements SqlServer = Dialect.Statements;

    public static TheoryData<string, string> Named()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, text) in NamedStatements().Where(s => !s.Text.Contains("{0}", StringComparison.Ordinal)).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            data.Add(name, text);
        }
        return data;
    }

    // A multi-row INSERT as Prepared makes them, with a quoted reserved word among its columns.
    private static readonly Prepared<int> RowInsert = Prepared<int>.Insert("bid_statements", ("bid_id", _ => "B"), ("\"rule\"", _ => "R"), ("won", _ => true));

    public static TheoryData<string, string> Built() => new()
    {
        { "insert, 3 rows", RowInsert.MultiRowInsertSql(3) },
        { "insert, one row", RowInsert.Sql },
        { "migration lock", SqlServerDialect.GetMigrationLockSql },
        { "migration unlock", SqlServerDialect.ReleaseMigrationLockSql },
        { "completion by agreement, 1 row", SqlServer.UpsertCompletion(byAgreement: true, 1) },
        { "completion by agreement, 3 rows", SqlServer.UpsertCompletion(byAgreement: true, 3) },
        { "completion by hospital, 1 row", SqlServer.UpsertCompletion(byAgreement: false, 1) },
        { "completion by hospital, 3 rows", SqlServer.UpsertCompletion(byAgreement: false, 3) },
        { "consumable codes upsert, 1 row", SqlServer.UpsertConsumableCodes(1) },
        { "consumable codes upsert, 3 rows", SqlServer.UpsertConsumableCodes(3) },
        { "consumable deactivated upsert, 3 rows", SqlServer.UpsertConsumableDeactivatedCodes(3) },
        { "consumable transcodings upsert, 3 rows", SqlServer.UpsertConsumableTranscodings(3) },
        { "kept, batch", MonitoringRepository.KeptSql(CompletionLevel.Batch) },
        { "kept, agreement", MonitoringRepository.KeptSql(CompletionLevel.Agreement) },
        { "kept, hospital", MonitoringRepository.KeptSql(CompletionLevel.Hospital) },
        { "kept, product", MonitoringRepository.KeptSql(CompletionLevel.Product) },
        { "recompute, batch", MonitoringRepository.RecomputeSql(CompletionLevel.Batch) },
        { "recompute, by region", MonitoringRepository.RecomputeSql(CompletionLevel.Region) },
        { "rebuild agreements, all", MonitoringRepository.RebuildAgreementsSql("") },
        { "rebuild agreements, some", MonitoringRepository.RebuildAgreementsSql(SqlServer.AgreementsOfIds) },
        { "rebuild hospitals, all", MonitoringRepository.RebuildHospitalsSql("") },
        { "rebuild hospitals, some", MonitoringRepository.RebuildHospitalsSql(SqlServer.HospitalsSuppliedByIds) },
        { "consumable codes, no filter", Procurement.Grains.Consumables.ConsumableCodeReader.SearchSql(new(null, null, null, null, 50, null), SqlServer.TakeFirst) },
        { "consumable codes, every filter", Procurement.Grains.Consumables.ConsumableCodeReader.SearchSql(new("C0201", "CERT", "stent", true, 50, "C02010000000000000000000000"), SqlServer.TakeFirst) },
    };

    [Fact]
    public void The_enumeration_finds_the_repositories_statements()
    {
        var statements = NamedStatements().Select(s => s.Text).ToList();

        // Shared constants, private ones and the dialect's own alike.
        Assert.Contains(statements, t => t.Contains("MERGE INTO regions", StringComparison.Ordinal));
        Assert.Contains(statements, t => t.Contains("DELETE FROM hospital_scores", StringComparison.Ordinal));
        Assert.Contains(statements, t => t.Contains("INSERT INTO events", StringComparison.Ordinal));
        Assert.Contains(statements, t => t.Contains("OUTPUT inserted.version", StringComparison.Ordinal));
        Assert.True(statements.Count > 150, $"only {statements.Count} statements found");
    }

    [Fact]
    public void No_statement_is_written_outside_a_named_one()
    {
        var named = NamedStatements().Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        // The dialect sets name their statements as properties; the other databases' dialects hold their own.
        var exempt = typeof(DialectStatements).Assembly.GetTypes().Where(t => typeof(DialectStatements).IsAssignableFrom(t))
            .Append(typeof(PostgresDialect)).Append(typeof(SqliteDialect)).ToHashSet();

        // A constant is loaded where it is used, so what the IL loads must be the text of one.
        var inline = Il.Bodies(typeof(ProcurementStore).Assembly)
            .Where(b => !exempt.Contains(Il.WrittenIn(b.Method.DeclaringType!)))
            .SelectMany(b => Il.LoadedStrings(b.Method, b.Body).Select(t => (Method: $"{Il.WrittenIn(b.Method.DeclaringType!).Name}.{Il.WrittenInMethod(b.Method)}", Text: t)))
            .Where(s => Statement().IsMatch(s.Text) && !named.Contains(s.Text))
            .ToList();

        Assert.True(inline.Count == 0, string.Join("\n", inline.Select(s => $"{s.Method}: {s.Text}")));
    }

    [Theory]
    [MemberData(nameof(Named))]
    public void Every_named_statement_parses_as_TSql(string name, string text) => AssertTransactSql(name, text);

    [Theory]
    [MemberData(nameof(Built))]
    public void Every_built_statement_parses_as_TSql(string name, string text) => AssertTransactSql(name, text);

    [Fact]
    public void Each_database_has_its_own_forms_of_the_statements_that_differ()
    {
        var postgres = new PostgresDialect("Host=localhost;Database=x").Statements;
        foreach (var property in DialectProperties())
        {
            var tsql = (string)property.GetValue(SqlServer)!;
            Assert.DoesNotContain("ON CONFLICT", tsql, StringComparison.Ordinal);
            Assert.DoesNotContain("RETURNING", tsql, StringComparison.Ordinal);
            Assert.True(!tsql.StartsWith("MERGE", StringComparison.Ordinal) || tsql.Contains("WITH (HOLDLOCK)", StringComparison.Ordinal), property.Name);
            Assert.DoesNotContain(" IN @", (string)property.GetValue(postgres)!, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("ON CONFLICT", SqlServer.UpsertCompletion(byAgreement: true, 2), StringComparison.Ordinal);
        foreach (var upsert in new[] { SqlServer.UpsertConsumableCodes(2), SqlServer.UpsertConsumableDeactivatedCodes(2), SqlServer.UpsertConsumableTranscodings(2) })
        {
            Assert.DoesNotContain("ON CONFLICT", upsert, StringComparison.Ordinal);
            Assert.Contains("WITH (HOLDLOCK)", upsert, StringComparison.Ordinal);
        }
        Assert.EndsWith("FOR SHARE", postgres.SelectPhaseForShare, StringComparison.Ordinal);
        Assert.Contains("WITH (REPEATABLEREAD, ROWLOCK)", SqlServer.SelectPhaseForShare, StringComparison.Ordinal);
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
        Assert.True(Prepared<int>.RowsFitting(Dialect, 9, 500) * 9 <= 2_100);
        Assert.True(Prepared<int>.RowsFitting(Dialect, 12) * 12 <= 2_100);
        Assert.Equal(200, Prepared<int>.RowsFitting(new PostgresDialect("Host=localhost;Database=x"), 12));
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

    private static void AssertTransactSql(string name, string text)
    {
        // Dapper expands a list parameter into one parameter per element on SQL Server.
        var expanded = InList().Replace(text, "IN (${list}1, ${list}2)");
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
    /// The statements the store can send to SQL Server by name: every constant of the grains
    /// assembly that is a statement (or a template of one), except the other databases' own, and
    /// every statement of SQL Server's <see cref="DialectStatements"/>.
    /// </summary>
    private static IEnumerable<(string Name, string Text)> NamedStatements()
    {
        var otherDatabases = new[] { typeof(PostgresDialect), typeof(SqliteDialect) };
        var constants =
            from type in typeof(ProcurementStore).Assembly.GetTypes()
            where !otherDatabases.Contains(Il.WrittenIn(type)) && !typeof(DialectStatements).IsAssignableFrom(type)
            from field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            where field.IsLiteral && field.FieldType == typeof(string)
            let text = (string)field.GetRawConstantValue()!
            where Statement().IsMatch(text)
            select ($"{type.Name}.{field.Name}", text);
        var dialect = DialectProperties()
            .Select(p => ($"{nameof(SqlServerStatements)}.{p.Name}", (string)p.GetValue(SqlServer)!))
            .Where(s => Statement().IsMatch(s.Item2));
        return constants.Concat(dialect);
    }

    private static IEnumerable<PropertyInfo> DialectProperties() =>
        typeof(DialectStatements).GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.PropertyType == typeof(string));

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
