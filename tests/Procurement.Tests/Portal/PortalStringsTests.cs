using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Procurement.BidPortal;
using Procurement.BidPortal.Pages;
using Procurement.Contracts.Domain;
using Procurement.Tests.Deploy;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>
/// The pages' words in both languages: every string a page asks the localizer for has its Chinese
/// entry (a missing one would show English on a Chinese page without any error), and the purchasing
/// states and kinds read as words, never as enum names run together.
/// </summary>
public sealed partial class PortalStringsTests
{
    [Fact]
    public void Every_string_a_page_asks_for_has_a_Chinese_translation()
    {
        var translated = XDocument.Load(DeployFiles.PathOf("BidPortal/Resources/SharedResource.zh-CN.resx")).Root!
            .Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
        var pages = Directory.EnumerateFiles(DeployFiles.PathOf("BidPortal/Pages"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal));
        var asked = pages
            .SelectMany(f => Asked().Matches(File.ReadAllText(f)).Select(m => (File: DeployFiles.Relative(f), Key: Regex.Unescape(m.Groups[1].Value))))
            .Distinct()
            .ToList();
        // A pattern that stopped matching would pass with nothing checked.
        Assert.True(asked.Count > 300, $"Only {asked.Count} localised strings found in the pages.");
        var missing = asked.Where(a => !translated.Contains(a.Key)).Select(a => $"{a.File}: {a.Key}").ToList();
        Assert.True(missing.Count == 0, $"Strings without a zh-CN entry:\n{string.Join('\n', missing)}");
    }

    [Fact]
    public void Purchasing_states_and_kinds_read_as_words_in_English_and_Chinese()
    {
        using var services = new ServiceCollection().AddLogging().AddLocalization(o => o.ResourcesPath = "Resources").BuildServiceProvider();
        var names = new Names(null!, services.GetRequiredService<IStringLocalizer<SharedResource>>());
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-GB");
            var english = Words(names);
            Assert.All(english, w => Assert.DoesNotMatch(RunTogether(), w));
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-CN");
            var chinese = Words(names);
            Assert.All(chinese, w => Assert.Matches(Han(), w));
            Assert.Equal(english.Count, english.Distinct().Count());
            Assert.Equal(chinese.Count, chinese.Distinct().Count());
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    private static List<string> Words(Names names) =>
    [
        .. Enum.GetValues<OrderLineState>().Select(names.Of),
        .. Enum.GetValues<OrderLineKind>().Select(names.Of),
        .. Enum.GetValues<OrderUrgency>().Select(names.Of),
        .. Enum.GetValues<DeliveryState>().Select(names.Of),
        .. Enum.GetValues<DeliveryRejection>().Select(names.Of),
        .. Enum.GetValues<InvoiceState>().Select(names.Of),
        .. Enum.GetValues<Payer>().Select(names.Of),
    ];

    [GeneratedRegex(@"\bL\[""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Asked();

    [GeneratedRegex("[a-z][A-Z]")]
    private static partial Regex RunTogether();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();
}
