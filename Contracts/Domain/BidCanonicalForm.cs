using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Procurement.Contracts.Domain;

/// <summary>
/// The canonical text of a bid that its receipt hash is taken over, so a manufacturer can verify a
/// receipt without the server: compact JSON, keys in this fixed (alphabetical) order, the price with
/// exactly 4 decimals as a string, supply regions sorted ordinally, UTF-8.
/// </summary>
public static class BidCanonicalForm
{
    public static string Text(string manufacturerId, BidContent content)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("annualCapacity", content.AnnualCapacity);
            json.WriteString("batchId", content.BatchId);
            json.WriteString("manufacturerId", manufacturerId);
            json.WriteString("pricePerPack", content.PricePerPack.ToString("F4", CultureInfo.InvariantCulture));
            json.WriteString("productId", content.ProductId);
            json.WriteString("specificationCode", content.SpecificationCode);
            json.WriteStartArray("supplyRegions");
            foreach (var region in content.SupplyRegions.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(region);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Sha256(string manufacturerId, BidContent content) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text(manufacturerId, content))));
}
