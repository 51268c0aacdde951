using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Procurement.Grains.Sealing;

/// <summary>
/// An opening officer's share as text, the form the officer decrypts and later pastes into the
/// portal: <c>vbp-opening-share-1:{x}:{base64 of the share}:{batch id}</c> (the batch id last, as it
/// may hold colons).
/// </summary>
public static class OpeningShareText
{
    private const string Prefix = "vbp-opening-share-1";

    public static string Format(string batchId, byte x, byte[] y) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}:{x}:{Convert.ToBase64String(y)}:{batchId}");

    public static bool TryParse(string text, out string batchId, out byte x, out byte[] y)
    {
        batchId = "";
        x = 0;
        y = [];
        var parts = text.Split(':', 4);
        if (parts.Length != 4 || parts[0] != Prefix || !byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out x) || x == 0)
        {
            return false;
        }
        try
        {
            y = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        batchId = parts[3];
        return y.Length > 0;
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
