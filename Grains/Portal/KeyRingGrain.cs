using System.Text;
using Dapper;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Sealing;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Portal;

/// <summary>
/// The data-protection key ring in table <c>data_protection_keys</c> (one ring per key; the portal
/// uses one). Each key's XML is stored encrypted under the key-encryption key, which lives outside
/// the database: a copy of the database alone cannot mint a session cookie. A row written before
/// encryption at rest is encrypted in place the first time the ring is read.
/// </summary>
public sealed class KeyRingGrain(
    ProcurementStore store,
    KeyEncryptionKey kek,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IKeyRingGrain
{
    private const string Purpose = "key-ring";

    private const string EncryptedPrefix = "kek1:";

    private const string SelectSql = "SELECT name AS Name, xml AS Xml FROM data_protection_keys WHERE name LIKE @Prefix ORDER BY created_at, name";

    private const string CountSql = "SELECT COUNT(*) FROM data_protection_keys WHERE name = @Name";

    private const string InsertSql = "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @At)";

    private const string EncryptInPlaceSql = "UPDATE data_protection_keys SET xml = @Xml WHERE name = @Name AND xml = @Plain";

    private string Prefix => $"{this.GetPrimaryKeyString()}/";

    public async Task<IReadOnlyList<string>> GetAllAsync()
    {
        var rows = (await store.ReadAsync(connection => connection.QueryAsync<KeyRow>(SelectSql, new { Prefix = Prefix + "%" }))).AsList();
        var legacy = rows.Where(r => !r.Xml.StartsWith(EncryptedPrefix, StringComparison.Ordinal)).ToList();
        if (legacy.Count > 0)
        {
            await store.WriteAsync(async (connection, transaction) =>
            {
                foreach (var row in legacy)
                {
                    await connection.ExecuteAsync(EncryptInPlaceSql, new { row.Name, Xml = Encrypt(row.Name, row.Xml), Plain = row.Xml }, transaction);
                }
            });
        }
        return rows.Select(r => r.Xml.StartsWith(EncryptedPrefix, StringComparison.Ordinal) ? Decrypt(r.Name, r.Xml) : r.Xml).ToList();
    }

    public Task StoreAsync(string name, string xml)
    {
        Check.Id(name, "name");
        Check.NotNull(xml, "xml");
        var key = Prefix + name;
        var encrypted = Encrypt(key, xml);
        return store.WriteAsync(async unit =>
        {
            var (connection, transaction) = unit;
            if (await connection.ExecuteScalarAsync<long>(CountSql, new { Name = key }, transaction) == 0)
            {
                await connection.ExecuteAsync(InsertSql, new { Name = key, Xml = encrypted, At = ProcurementClock.Now(clock) }, transaction);
                await EventLog.AppendAsync(unit, ProcurementClock.Now(clock), "system:data-protection", null, "key-ring", key, "KeyAdded", new { name = key });
            }
        });
    }

    // The row's name is the associated data: a key's ciphertext copied onto another row does not decrypt.
    private string Encrypt(string name, string xml) =>
        EncryptedPrefix + Convert.ToBase64String(kek.Wrap(Purpose, Encoding.UTF8.GetBytes(xml), name));

    private string Decrypt(string name, string stored) =>
        Encoding.UTF8.GetString(kek.Unwrap(Purpose, Convert.FromBase64String(stored[EncryptedPrefix.Length..]), name));

    private sealed record KeyRow
    {
        public string Name { get; init; } = "";

        public string Xml { get; init; } = "";
    }
}
