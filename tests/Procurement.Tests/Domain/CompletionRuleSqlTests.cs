using System.Globalization;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Grains.Agreements;
using Procurement.Grains.Agreements.Domain;
using Procurement.Grains.Storage;
using Procurement.Grains.Storage.Dialects;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>
/// The completion rule's SQL form (what the monitoring statements are composed from) against the
/// C# rule, on the same rows, on each database: every combination of state, start, end, carried
/// units and purchases over both years of an 18-month period.
/// </summary>
public sealed class CompletionRuleSqlTests
{
    private const int P = 24_300;

    private const int PeriodEnd = P + 18;

    private sealed record Case(int Id, AgreementState State, int Start, int End, long Annual, long Carried, long? Purchased);

    private static List<Case> Cases()
    {
        var cases = new List<Case>();
        foreach (var state in Enum.GetValues<AgreementState>())
        foreach (var start in new[] { P, P + 2, P + 12, P + 14 })
        foreach (var end in new[] { P + 2, P + 12, P + 13, PeriodEnd })
        foreach (var carried in new[] { 0L, 700L })
        foreach (var annual in new[] { 12_000L, 49_001L })
        foreach (var purchased in new long?[] { null, 0, 3_000, 60_000 })
        {
            if (end > start)
            {
                cases.Add(new Case(cases.Count + 1, state, start, end, annual, carried, purchased));
            }
        }
        return cases;
    }

    /// <summary>The statement: the cases as <c>a</c>, <c>h</c> and <c>b</c>, through the rule's SQL as the monitoring statements use it.</summary>
    private static string Sql(IEnumerable<Case> cases)
    {
        var values = new StringBuilder();
        foreach (var c in cases)
        {
            values.Append(values.Length == 0 ? "" : ",\n")
                .Append(CultureInfo.InvariantCulture, $"({c.Id}, {(int)c.State}, {c.Start}, {c.End}, {c.Annual}, {c.Carried}, {(c.Purchased is { } p ? p.ToString(CultureInfo.InvariantCulture) : "NULL")})");
        }
        return $"""
            WITH cases (id, state, start_month, end_month, annual_volume, carried_units, agreed_units) AS (VALUES {values}),
            parts AS (
                SELECT a.id, {CompletionRule.AgreedSql} AS agreed, COALESCE(b.agreed_units, 0) AS purchased, 0 AS substitutes, 0 AS declared
                  FROM cases a
                  JOIN cases h ON h.id = a.id
                  LEFT JOIN cases b ON b.id = a.id AND b.agreed_units IS NOT NULL
                 WHERE {CompletionRule.InYearSql}
            )
            SELECT CAST(id AS BIGINT) AS Id, {CompletionRule.SumsSql}
              FROM parts
             GROUP BY id
             ORDER BY id
            """;
    }

    private sealed record Row
    {
        public long Id { get; init; }

        public long Agreed { get; init; }

        public long Counted { get; init; }

        public long Surplus { get; init; }

        public long Substitutes { get; init; }
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task The_SQL_and_the_CSharp_rule_give_the_same_figures(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        var cases = Cases();
        Assert.True(cases.Count > 900, $"only {cases.Count} cases");
        foreach (var yearStart in new[] { P, P + 12 })
        {
            var yearEnd = Math.Min(yearStart + 12, PeriodEnd);
            var sql = Sql(cases);
            var rows = (await store.ReadAsync(c => c.QueryAsync<Row>(sql, new DynamicParameters(CompletionRule.SqlParameters(yearStart, yearEnd)))))
                .ToDictionary(r => r.Id);
            var compared = 0;
            foreach (var c in cases)
            {
                var expected = CompletionRule.Figures(c.Annual, c.Carried, c.Start, c.End, PeriodEnd, c.State, yearStart, c.Purchased ?? 0);
                if (c.Start >= yearEnd || c.End <= yearStart)
                {
                    // Outside the year the rule agrees nothing, and the SQL leaves the part out.
                    Assert.False(rows.ContainsKey(c.Id), $"{c} in year {yearStart}");
                    Assert.Equal((0L, 0L), (expected.Agreed, expected.Counted));
                    continue;
                }
                Assert.True(rows.TryGetValue(c.Id, out var row), $"{c} in year {yearStart}: no row");
                Assert.True((expected.Agreed, expected.Counted, expected.Surplus) == (row.Agreed, row.Counted, row.Surplus),
                    $"{c} in year {yearStart}: C# {expected}, SQL {(row.Agreed, row.Counted, row.Surplus)}");
                compared++;
            }
            Assert.True(compared > 500, $"only {compared} cases in year {yearStart}");
        }
    }

    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task The_SQL_sums_of_lines_count_each_classification_as_the_classifier_does(string provider)
    {
        await using var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance);
        var lines = Enum.GetValues<UsageClassification>().Select((c, i) => (Classification: c, Units: 10L << (4 * i), AmountE6: 1_000L << (4 * i))).ToList();
        var values = string.Join(", ", lines.Select(l => string.Create(CultureInfo.InvariantCulture, $"({(int)l.Classification}, {l.Units}, {l.AmountE6})")));
        var sql = $"""
            WITH u (classification, units, amount_e6) AS (VALUES {values})
            SELECT CAST(agreed_units AS BIGINT) AS AgreedUnits, CAST(substitute_units AS BIGINT) AS SubstituteUnits, CAST(spent_e6 AS BIGINT) AS SpentE6
              FROM (SELECT {UsageClassifier.SumsSql} FROM u) s
            """;
        var row = await store.ReadAsync(c => c.QuerySingleAsync<(long AgreedUnits, long SubstituteUnits, long SpentE6)>(sql, new DynamicParameters(CompletionRule.SqlParameters(P, P + 12))));

        var expected = (
            lines.Where(l => UsageClassifier.CountsToward(l.Classification) == UsageClassifier.Counts.Agreed).Sum(l => l.Units),
            lines.Where(l => UsageClassifier.CountsToward(l.Classification) == UsageClassifier.Counts.Substitute).Sum(l => l.Units),
            lines.Where(l => UsageClassifier.CountsToward(l.Classification) != UsageClassifier.Counts.Nothing).Sum(l => l.AmountE6));
        Assert.Equal(expected, row);

        // The declarations of off-platform purchases: the agreed brand's units apart, spending as on the platform.
        var declaredSql = $"""
            WITH u (classification, units, amount_e6) AS (VALUES {values})
            SELECT CAST(declared_units AS BIGINT) AS DeclaredUnits, CAST(declared_spent_e6 AS BIGINT) AS SpentE6
              FROM (SELECT {UsageClassifier.DeclaredSumsSql} FROM u) s
            """;
        var declared = await store.ReadAsync(c => c.QuerySingleAsync<(long DeclaredUnits, long SpentE6)>(declaredSql, new DynamicParameters(CompletionRule.SqlParameters(P, P + 12))));
        Assert.Equal((expected.Item1, expected.Item3), declared);
    }

    [Fact]
    public void The_monitoring_statements_are_composed_from_the_rule()
    {
        foreach (var sql in new[]
        {
            MonitoringRepository.RecomputeSql(CompletionLevel.Batch), MonitoringRepository.RebuildAgreementsSql(new SqliteStatements().AgreementsOfIds), MonitoringRepository.RebuildHospitalsSql(""),
        })
        {
            Assert.Contains(CompletionRule.AgreedSql, sql, StringComparison.Ordinal);
            Assert.Contains(CompletionRule.InYearSql, sql, StringComparison.Ordinal);
            Assert.Contains(CompletionRule.SumsSql, sql, StringComparison.Ordinal);
            Assert.Contains(UsageClassifier.SumsSql, sql, StringComparison.Ordinal);
            Assert.Contains(UsageClassifier.DeclaredSumsSql, sql, StringComparison.Ordinal);
        }
    }
}
