using Microsoft.Extensions.Options;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Sealing;

/// <summary>
/// Where the key-encryption key (KEK) lives: a file outside the database that holds 32 random
/// bytes in Base64. It wraps each batch's opening key (automatic mode), the receipt nonces and the
/// portal's key ring, so a copy of the database alone opens nothing. Bound from <c>Sealing</c>.
/// </summary>
public sealed class SealingOptions
{
    public const string Section = "Sealing";

    /// <summary>
    /// The KEK file. Empty: for an embedded SQLite store only (the local and demo set-up), a key is
    /// generated at <c>keys/sealing.key</c> beside the data folder on first start, readable by the
    /// owner only, and the log says so. A server store needs it named: every silo must use the same.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>The file the silo uses: <see cref="KeyFile"/>, or the generated one beside the SQLite data folder.</summary>
    public static string? ResolveKeyFile(SealingOptions sealing, StoreOptions store)
    {
        if (!string.IsNullOrWhiteSpace(sealing.KeyFile))
        {
            return Path.GetFullPath(sealing.KeyFile);
        }
        if (store.Provider == StoreProviders.Sqlite && string.IsNullOrWhiteSpace(store.ConnectionString))
        {
            var data = Path.GetFullPath(store.DataDirectory).TrimEnd(Path.DirectorySeparatorChar);
            return Path.Combine(Path.GetDirectoryName(data) ?? data, "keys", "sealing.key");
        }
        return null;
    }
}

public sealed class SealingOptionsValidator(IOptions<StoreOptions> store) : IValidateOptions<SealingOptions>
{
    public ValidateOptionsResult Validate(string? name, SealingOptions options)
    {
        var path = SealingOptions.ResolveKeyFile(options, store.Value);
        if (path is null)
        {
            return ValidateOptionsResult.Fail(
                $"Sealing:KeyFile must name the key-encryption key file when Store:Provider is '{store.Value.Provider}' "
                + "(32 random bytes in Base64, the same file on every silo, kept outside the database: deploy/README.md, \"Secrets\").");
        }
        if (!string.IsNullOrWhiteSpace(options.KeyFile) && !File.Exists(path))
        {
            return ValidateOptionsResult.Fail($"Sealing:KeyFile names '{path}', which does not exist.");
        }
        return ValidateOptionsResult.Success;
    }
}
