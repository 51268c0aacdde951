using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Xunit;

namespace Procurement.Tests.Portal;

/// <summary>An export written to bytes, and a CSV export read back by its header (BOM or not).</summary>
internal static class ExportFiles
{
    /// <summary>A file downloaded through the portal: 200 with the content type, or the test fails showing what came instead.</summary>
    public static async Task<byte[]> DownloadAsync(HttpClient client, string path, string type)
    {
        using var response = await client.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        Assert.Contains(type, response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        return bytes;
    }

    public static byte[] Write(Action<Stream> export)
    {
        using var output = new MemoryStream();
        export(output);
        return output.ToArray();
    }

    public static (string[] Header, List<Dictionary<string, string>> Rows) ReadCsv(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        Assert.True(csv.Read());
        csv.ReadHeader();
        var header = csv.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(header.ToDictionary(h => h, h => csv.GetField(h)!));
        }

        return (header, rows);
    }
}
