using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>
/// No SQL Server runs here, so every T-SQL text we ship goes through Microsoft's own parser (SQL Server
/// 2022 grammar): each script, batch by batch, and each query text the scripts store in OrleansQuery.
/// </summary>
public sealed partial class TransactSqlScriptTests
{
    public static TheoryData<string> Scripts()
    {
        var deploy = Path.Combine(AppContext.BaseDirectory, "deploy", "sql");
        var data = new TheoryData<string>();
        foreach (var folder in new[] { Path.Combine(deploy, "orleans", OrleansDatabase.SqlServer), Path.Combine(deploy, "sqlserver") }.Where(Directory.Exists))
        {
            foreach (var file in Directory.GetFiles(folder, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(deploy, file));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void The_script_parses_without_error_batch_by_batch(string script)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "deploy", "sql", script));

        var parsed = Parse(text, script);

        // The parser splits on GO itself: one batch per GO-ended stretch that holds a statement.
        var stretches = GoLine().Split(text).Count(s => s.Split('\n').Any(l => l.Trim() is { Length: > 0 } t && !t.StartsWith("--", StringComparison.Ordinal)));
        Assert.Equal(stretches, parsed.Batches.Count);
        Assert.All(parsed.Batches, b => Assert.NotEmpty(b.Statements));
    }

    [Fact]
    public void Every_stored_query_parses_and_the_scripts_store_every_key()
    {
        var queries = new List<(string Key, string Text)>();
        var replaced = new List<string>();
        foreach (var file in OrleansDatabase.Scripts(OrleansDatabase.SqlServer))
        {
            var writes = new OrleansQueryWrites();
            Parse(File.ReadAllText(file), file).Accept(writes);
            queries.AddRange(writes.Inserted);
            replaced.AddRange(writes.Deleted);
        }

        Assert.Equal(OrleansQueryKeys.All.Order(), queries.Select(q => q.Key).Order());
        // Run again, each script first deletes exactly the keys it inserts.
        Assert.Equal(queries.Select(q => q.Key).Order(), replaced.Order());
        foreach (var (key, text) in queries)
        {
            var parsed = Parse(text, key);
            Assert.NotEmpty(parsed.Batches.SelectMany(b => b.Statements));
        }
    }

    private static TSqlScript Parse(string text, string name)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        var fragment = parser.Parse(new StringReader(text), out var errors);
        Assert.True(errors.Count == 0, $"{name}: {string.Join("; ", errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}"))}");
        return Assert.IsType<TSqlScript>(fragment);
    }

    [GeneratedRegex(@"^[ \t]*GO[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex GoLine();

    /// <summary>The (key, text) rows INSERTed into OrleansQuery, and the keys DELETEd from it.</summary>
    private sealed class OrleansQueryWrites : TSqlFragmentVisitor
    {
        public List<(string Key, string Text)> Inserted { get; } = [];

        public List<string> Deleted { get; } = [];

        public override void ExplicitVisit(InsertStatement node)
        {
            if (IsOrleansQuery(node.InsertSpecification.Target) && node.InsertSpecification.InsertSource is ValuesInsertSource values)
            {
                foreach (var row in values.RowValues)
                {
                    var literals = row.ColumnValues.OfType<StringLiteral>().ToList();
                    Assert.Equal(2, literals.Count);
                    Inserted.Add((literals[0].Value, literals[1].Value));
                }
            }
            base.ExplicitVisit(node);
        }

        public override void ExplicitVisit(DeleteStatement node)
        {
            if (IsOrleansQuery(node.DeleteSpecification.Target) && node.DeleteSpecification.WhereClause is { } where)
            {
                var literals = new Literals();
                where.Accept(literals);
                Deleted.AddRange(literals.Values);
            }
            base.ExplicitVisit(node);
        }

        private static bool IsOrleansQuery(TableReference target) =>
            target is NamedTableReference { SchemaObject.BaseIdentifier.Value: var table }
            && table.Equals("OrleansQuery", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Literals : TSqlFragmentVisitor
    {
        public List<string> Values { get; } = [];

        public override void ExplicitVisit(StringLiteral node) => Values.Add(node.Value);
    }
}
