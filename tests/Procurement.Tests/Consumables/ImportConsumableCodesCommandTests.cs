using System.Text;
using Procurement.Silo.Consumables;
using Xunit;

namespace Procurement.Tests.Consumables;

/// <summary>The <c>import-consumable-codes</c> verb on a SQLite store: its lines per file and its exit codes.</summary>
public sealed class ImportConsumableCodesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("consumable-codes-command-").FullName;

    private string File(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        System.IO.File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await ImportConsumableCodesCommand.RunAsync([.. args, $"--Store:DataDirectory={Path.Combine(_folder, "data")}", "Store:Provider=sqlite"], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Each_file_gets_a_line_a_refused_one_its_errors_and_the_exit_code_says_whether_any_was_refused()
    {
        const string header = "耗材代码,规格型号,注册人,注册证编号";
        var good = File("good.csv", $"{header}\nC02010100100000000000000001,3.0mm,某公司,国械注准1\n");
        var bad = File("bad.csv", $"{header}\nC0201,3.0mm,某公司,国械注准1\n");

        var first = await RunAsync("--kind", "codes", good, bad);

        Assert.Equal(ImportConsumableCodesCommand.Refused, first.Exit);
        Assert.Contains("IMPORTED good.csv: 1 rows", first.Output, StringComparison.Ordinal);
        Assert.Contains("REFUSED bad.csv: 1 error(s); nothing written", first.Output, StringComparison.Ordinal);
        Assert.Contains("row 1, code: CONSUMABLE_CODE_LENGTH:", first.Output, StringComparison.Ordinal);

        var second = await RunAsync("--kind=codes", good);

        Assert.Equal(ImportConsumableCodesCommand.Done, second.Exit);
        Assert.Contains("SKIPPED good.csv: imported completely before", second.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kind", "prices", "x.csv")]
    [InlineData("x.csv")]
    [InlineData("--kind", "codes")]
    public async Task Unusable_arguments_exit_with_two(params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(ImportConsumableCodesCommand.Unusable, exit);
        Assert.NotEmpty(error);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
