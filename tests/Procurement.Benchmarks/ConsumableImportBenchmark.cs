using System.Diagnostics;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Domain;
using Procurement.Grains.Consumables;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;

namespace Procurement.Benchmarks;

/// <summary>
/// Issue 19, benchmark 2: the consumables code master data, 1 M code rows, imported by the
/// importer (<see cref="ConsumableCodeImporter"/>: the file hashed, every row read and checked,
/// read again and written in one transaction, hashed again) at least 50 % as fast as a plain bulk
/// insert of the same rows into the same kind of database (a fresh store of the same provider:
/// the store's own fastest insert, <see cref="Prepared{T}.InsertAsync"/>, in one transaction, no
/// checks, the code's parts cut by position). Both start from an empty table; the file is a
/// UTF-8 CSV with the release's Chinese headers, written before either is timed.
/// Usage: dotnet run -c Release --project tests/Procurement.Benchmarks -- consumable-import
///        [--rows N] [--provider sqlite|postgresql|both]
/// </summary>
public static class ConsumableImportBenchmark
{
    private const string Header = "医保耗材代码,一级分类,二级分类,三级分类（通用名）,耗材材质,规格型号,注册备案人,注册证编号/备案号,单件产品名称";

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = IngestBenchmark.IntOption(args, "--rows", 1_000_000);
        var index = Array.IndexOf(args, "--provider");
        var provider = index >= 0 && index + 1 < args.Length ? args[index + 1] : "both";
        IngestBenchmark.PrintMachine();
        var folder = Path.Combine(Path.GetTempPath(), $"procurement-codes-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var path = Path.Combine(folder, "耗材代码库.csv");
            var lines = WriteFile(path, rows);
            Console.WriteLine($"Workload: {rows:N0} code rows, {new FileInfo(path).Length / 1_048_576.0:F0} MiB of CSV ({lines:N0} lines with the header).");
            foreach (var name in provider == "both" ? [StoreProviders.Sqlite, StoreProviders.PostgreSql] : new[] { provider })
            {
                await RunOneAsync(name, path, rows);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static string Code(long n) => $"C{2 + n % 3:D2}{1 + n / 7 % 9:D2}{1 + n / 11 % 9:D2}{1 + n / 13 % 99:D3}{n:D17}";

    private static long WriteFile(string path, int rows)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 20);
        writer.WriteLine(Header);
        for (var n = 0L; n < rows; n++)
        {
            writer.Write(Code(n));
            writer.Write(",血管介入治疗类材料,血管支架,冠状动脉药物洗脱支架,钴铬合金,");
            writer.Write(n % 40 / 10.0 + 2.25);
            writer.Write("×18mm,企业");
            writer.Write(n % 5000);
            writer.Write("医疗器械有限公司,国械注准2015313");
            writer.Write(n % 10_000);
            writer.WriteLine(",冠脉药物洗脱支架系统");
        }
        return rows + 1L;
    }

    private sealed record PlainRow(string Code, string Specification, string Registrant, string Certificate);

    private static readonly Prepared<PlainRow> PlainInsert = Prepared<PlainRow>.Insert(
        "consumable_codes",
        ("code", r => r.Code),
        ("category_code", r => r.Code[..3]),
        ("subcategory_code", r => r.Code[3..5]),
        ("general_class_code", r => r.Code[5..7]),
        ("general_name_code", r => r.Code[7..10]),
        ("category_name", _ => "血管介入治疗类材料"),
        ("subcategory_name", _ => "血管支架"),
        ("general_name", _ => "冠状动脉药物洗脱支架"),
        ("material", _ => "钴铬合金"),
        ("specification", r => r.Specification),
        ("registrant", r => r.Registrant),
        ("certificate_number", r => r.Certificate),
        ("product_name", _ => "冠脉药物洗脱支架系统"),
        ("active", _ => true),
        ("import_run_id", _ => "plain"));

    private static async Task RunOneAsync(string provider, string path, int rows)
    {
        // The importer.
        await using (var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance))
        {
            var importer = new ConsumableCodeImporter(store, new ConsumableImportOptions(), TimeProvider.System);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var result = await importer.ImportAsync(path, ConsumableCodeFileKind.Codes);
            watch.Stop();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds / watch.Elapsed.TotalSeconds;
            var stored = await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_codes"));
            Console.WriteLine($"[{provider}] importer: {result.Outcome}, {stored:N0} rows stored in {watch.Elapsed.TotalSeconds:F1} s = {rows / watch.Elapsed.TotalSeconds:N0} rows/s (process CPU {cpu:F2} cores; load {CpuMark.LoadAverage()})");
            s_importRate[provider] = rows / watch.Elapsed.TotalSeconds;
            if (stored != rows)
            {
                throw new InvalidOperationException($"The importer stored {stored:N0} rows of {rows:N0}.");
            }
        }

        // The plain bulk insert of the same rows, read from the same file, into a fresh store of the same provider.
        await using (var store = new ProcurementStore(Options.Create(TestStores.For(provider)), NullLoggerFactory.Instance))
        {
            var watch = Stopwatch.StartNew();
            var batch = new List<PlainRow>(10_000);
            await using var connection = await store.Dialect.OpenForWriteAsync();
            await using var transaction = await store.Dialect.BeginWriteAsync(connection, CancellationToken.None);
            using (var reader = new StreamReader(path, Encoding.UTF8))
            {
                await reader.ReadLineAsync();
                while (await reader.ReadLineAsync() is { } line)
                {
                    var cells = line.Split(',');
                    batch.Add(new PlainRow(cells[0], cells[5], cells[6], cells[7]));
                    if (batch.Count == batch.Capacity)
                    {
                        await PlainInsert.InsertAsync(store.Dialect, connection, transaction, batch);
                        batch.Clear();
                    }
                }
            }
            await PlainInsert.InsertAsync(store.Dialect, connection, transaction, batch);
            await transaction.CommitAsync();
            watch.Stop();
            var stored = await store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM consumable_codes"));
            var plainRate = rows / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"[{provider}] plain bulk insert: {stored:N0} rows in {watch.Elapsed.TotalSeconds:F1} s = {plainRate:N0} rows/s (one connection, one transaction, the store's multi-row or prepared INSERT; load {CpuMark.LoadAverage()})");
            Console.WriteLine($"[{provider}] importer / plain: {s_importRate[provider] / plainRate,6:P0} (target >= 50%)");
        }
    }

    private static readonly Dictionary<string, double> s_importRate = [];
}
