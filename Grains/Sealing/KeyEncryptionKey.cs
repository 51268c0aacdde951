using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Sealing;

/// <summary>
/// The key-encryption key, read once from its file (never from the database it protects). Each use
/// gets a key of its own derived with HKDF-SHA256, and every wrap is AES-256-GCM with the caller's
/// associated data, so a wrapped value moved to another row or another use fails to unwrap.
/// </summary>
public sealed class KeyEncryptionKey
{
    private const int KeyBytes = 32;

    private readonly byte[] _key;

    public KeyEncryptionKey(IOptions<SealingOptions> sealing, IOptions<StoreOptions> store, ILogger<KeyEncryptionKey> logger)
    {
        var path = SealingOptions.ResolveKeyFile(sealing.Value, store.Value)
            ?? throw new InvalidOperationException("Sealing:KeyFile is not set.");
        if (!File.Exists(path))
        {
            Generate(path);
            logger.LogWarning(
                "Generated a new key-encryption key at {KeyFile} (owner-only). It opens every sealed bid: back it up apart from the database; "
                + "without it no sealed bid can be opened. Production silos read one from Sealing:KeyFile.", path);
        }
        _key = Read(path);
        Id = Convert.ToHexStringLower(Derive("kek-id", 8));
        logger.LogInformation("Key-encryption key {KeyId} read from {KeyFile}.", Id, path);
    }

    /// <summary>A public fingerprint of the key, stored beside what it wraps so a wrong key file is named, not guessed at.</summary>
    public string Id { get; }

    /// <summary>AES-256-GCM (<see cref="Aead"/>) under the key derived for <paramref name="purpose"/>.</summary>
    public byte[] Wrap(string purpose, ReadOnlySpan<byte> plaintext, string associatedData) =>
        Aead.Seal(KeyFor(purpose), plaintext, associatedData);

    /// <summary>The plaintext of <see cref="Wrap"/>; a value altered, moved or wrapped under another key is refused.</summary>
    public byte[] Unwrap(string purpose, ReadOnlySpan<byte> wrapped, string associatedData) =>
        Aead.Open(KeyFor(purpose), wrapped, associatedData);

    // Derived once per purpose: every bid wraps a nonce, so HKDF need not run on the bid path.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    private byte[] KeyFor(string purpose) => _keys.GetOrAdd(purpose, p => Derive(p, KeyBytes));

    private byte[] Derive(string purpose, int length) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, length, salt: [], info: Encoding.UTF8.GetBytes("procurement/" + purpose));

    private static void Generate(string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new StreamWriter(path, Encoding.ASCII, options);
        file.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
    }

    private static byte[] Read(string path)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The key-encryption key file '{path}' (Sealing:KeyFile) must hold {KeyBytes} bytes in Base64.");
        }
        if (key.Length != KeyBytes)
        {
            throw new InvalidOperationException($"The key-encryption key file '{path}' (Sealing:KeyFile) holds {key.Length} bytes; it must hold {KeyBytes}.");
        }
        return key;
    }
}
