using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Procurement.Grains.Sealing;

/// <summary>
/// The encrypted content of one bid action: a fresh AES-256-GCM data key encrypts the canonical bid
/// text, and RSA-OAEP-SHA256 under the batch's opening public key wraps the data key. The text is
/// padded to a multiple of <see cref="Block"/> bytes first, so an envelope's size says nothing about
/// the price or the regions. The associated data binds the envelope to its bid, version, batch and
/// bidder: an envelope copied onto another row does not open.
/// </summary>
public static class BidEnvelope
{
    public const int Block = 1024;

    private const byte FormatVersion = 1;
    private const int DataKeyBytes = 32;

    /// <summary>Binds an envelope to its action row: the bid, the bidder, its request id (unique per bidder) and the batch.</summary>
    public static string AssociatedData(Guid bidId, string manufacturerId, string clientRequestId, string batchId) =>
        $"bid/{bidId:N}/{manufacturerId}/{clientRequestId}/{batchId}";

    /// <summary>Version, the wrapped data key's length and the wrapped key, then the padded text sealed with <see cref="Aead"/>.</summary>
    public static byte[] Seal(RSA openingPublicKey, string canonicalText, string associatedData)
    {
        var text = Encoding.UTF8.GetBytes(canonicalText);
        var padded = new byte[(4 + text.Length + Block - 1) / Block * Block];
        BinaryPrimitives.WriteInt32BigEndian(padded, text.Length);
        text.CopyTo(padded.AsSpan(4));
        var dataKey = RandomNumberGenerator.GetBytes(DataKeyBytes);
        try
        {
            var wrappedKey = openingPublicKey.Encrypt(dataKey, RSAEncryptionPadding.OaepSHA256);
            var body = Aead.Seal(dataKey, padded, associatedData);
            var output = new byte[3 + wrappedKey.Length + body.Length];
            output[0] = FormatVersion;
            BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(1), checked((ushort)wrappedKey.Length));
            wrappedKey.CopyTo(output.AsSpan(3));
            body.CopyTo(output.AsSpan(3 + wrappedKey.Length));
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The canonical text; an envelope altered, moved to another row or sealed under another key is refused.</summary>
    public static string Open(RSA openingPrivateKey, ReadOnlySpan<byte> envelope, string associatedData)
    {
        if (envelope.Length < 3 || envelope[0] != FormatVersion)
        {
            throw new CryptographicException("The bid envelope is malformed.");
        }
        var keyLength = BinaryPrimitives.ReadUInt16BigEndian(envelope[1..]);
        if (envelope.Length < 3 + keyLength + Block)
        {
            throw new CryptographicException("The bid envelope is malformed.");
        }
        var dataKey = openingPrivateKey.Decrypt(envelope.Slice(3, keyLength).ToArray(), RSAEncryptionPadding.OaepSHA256);
        try
        {
            var padded = Aead.Open(dataKey, envelope[(3 + keyLength)..], associatedData);
            var length = BinaryPrimitives.ReadInt32BigEndian(padded);
            if (length < 0 || length > padded.Length - 4)
            {
                throw new CryptographicException("The bid envelope is malformed.");
            }
            return Encoding.UTF8.GetString(padded, 4, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
