using Procurement.Optimizer.RuleSets;
using Xunit;

namespace Procurement.Tests.Optimizer;

/// <summary>The one rule-set registry: every key it lists is read, and no other key is accepted.</summary>
public sealed class RuleSetCatalogTests
{
    private static readonly Dictionary<string, string> None = [];

    public static TheoryData<string> Keys() => [.. RuleSetCatalog.Parameters.Select(p => p.Key)];

    private static string Actual(RuleParameterKey entry) => entry.KeyFor("Tablet");

    [Theory]
    [InlineData("ratioLimt")]
    [InlineData("RatioLimit")]
    [InlineData("volumeReport.minimumShare")]
    [InlineData("dosageFormThreshold.")]
    public void An_unknown_key_is_refused_naming_it(string key)
    {
        var error = Assert.Throws<RuleParameterException>(() => RuleSetCatalog.Resolve(RuleSetCatalog.Round11, new Dictionary<string, string> { [key] = "2.0" }));

        Assert.Equal(key, error.Parameter);
        Assert.Contains($"'{key}'", error.Message);
        Assert.Contains("ratioLimit", error.Message);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_registered_key_is_read_with_its_example_and_refuses_a_bad_value_naming_it(string key)
    {
        var entry = RuleSetCatalog.Parameters.Single(p => p.Key == key);
        var actual = Actual(entry);

        var resolved = RuleSetCatalog.Resolve(RuleSetCatalog.Custom, new Dictionary<string, string> { [actual] = entry.Example });

        // An award key changes the rules (examples differ from the custom defaults); another part's key is only checked.
        if (entry.Owner == RuleParameterOwner.Award)
        {
            Assert.NotEqual(RuleSetCatalog.Resolve(RuleSetCatalog.Custom, None), resolved);
        }
        else
        {
            Assert.Equal(RuleSetCatalog.Resolve(RuleSetCatalog.Custom, None), resolved);
        }
        Assert.Same(entry, RuleSetCatalog.Parameter(actual));
        Assert.False(string.IsNullOrWhiteSpace(entry.Meaning));
        var error = Assert.Throws<RuleParameterException>(() => RuleSetCatalog.Resolve(RuleSetCatalog.Custom, new Dictionary<string, string> { [actual] = "bogus" }));
        Assert.Equal(actual, error.Parameter);
    }

    [Fact]
    public void The_award_documents_table_lists_exactly_the_registered_keys()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "AWARD.md"));
        var table = text[text.IndexOf("Parameters a batch may override", StringComparison.Ordinal)..text.IndexOf("Statement reason codes", StringComparison.Ordinal)];

        var documented = table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => l.Split('`')[1]);

        Assert.Equal(RuleSetCatalog.Parameters.Select(p => p.Key), documented);
    }

    [Fact]
    public void Keys_and_names_are_listed_once()
    {
        Assert.Equal(RuleSetCatalog.Names.Count, RuleSetCatalog.Names.Distinct().Count());
        Assert.Equal(RuleSetCatalog.Parameters.Count, RuleSetCatalog.Parameters.Select(p => p.Key).Distinct().Count());
        Assert.Contains(RuleSetCatalog.Default, RuleSetCatalog.Names);
        Assert.All(RuleSetCatalog.Names, name => Assert.Equal(name, RuleSetCatalog.Resolve(name, None).Name));
        Assert.Equal(RuleParameterOwner.VolumeReporting, RuleSetCatalog.Parameter(RuleSetCatalog.MinimumShareOfHistory).Owner);
    }
}
