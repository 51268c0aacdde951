using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Procurement.Contracts.Domain;

/// <summary>
/// The canonical text of a bid that its receipt commits to, so anyone can verify a receipt without
/// the server once the opening publishes contents and nonces: compact JSON, keys in this fixed
/// (alphabetical) order, the price with exactly 4 decimals as a string, supply regions sorted
/// ordinally, UTF-8. The commitment is SHA-256 over the receipt's 32-byte random nonce followed by
/// the text: without the nonce, which only the bidder holds until the opening, the small space of
/// plausible prices cannot be searched for a matching hash.
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

    /// <summary>The canonical text of a withdrawal: which bid, and nothing it offered.</summary>
    public static string WithdrawalText(string manufacturerId, string batchId, string productId, Guid bidId)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("batchId", batchId);
            json.WriteString("bidId", bidId.ToString("D"));
            json.WriteString("manufacturerId", manufacturerId);
            json.WriteString("productId", productId);
            json.WriteString("withdrawn", "true");
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public const int NonceBytes = 32;

    /// <summary>A fresh receipt nonce, hex (lower case).</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(NonceBytes));

    /// <summary>SHA-256 (hex, lower case) of the nonce's bytes followed by the UTF-8 text.</summary>
    public static string Commitment(string nonceHex, string canonicalText)
    {
        var nonce = Convert.FromHexString(nonceHex);
        if (nonce.Length != NonceBytes)
        {
            throw new ArgumentException($"A receipt nonce has {NonceBytes} bytes.", nameof(nonceHex));
        }
        var text = Encoding.UTF8.GetBytes(canonicalText);
        var input = new byte[nonce.Length + text.Length];
        nonce.CopyTo(input, 0);
        text.CopyTo(input, nonce.Length);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>The bid a canonical text describes (the inverse of <see cref="Text"/>).</summary>
    public static (string ManufacturerId, BidContent Content) Parse(string canonicalText)
    {
        using var document = JsonDocument.Parse(canonicalText);
        var root = document.RootElement;
        var content = new BidContent(
            root.GetProperty("batchId").GetString()!,
            root.GetProperty("productId").GetString()!,
            root.GetProperty("specificationCode").GetString()!,
            decimal.Parse(root.GetProperty("pricePerPack").GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture),
            root.GetProperty("annualCapacity").GetInt64(),
            root.GetProperty("supplyRegions").EnumerateArray().Select(r => r.GetString()!).ToList());
        return (root.GetProperty("manufacturerId").GetString()!, content);
    }
}
