using Dapper;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Portal;

/// <summary>The data-protection key ring in table <c>data_protection_keys</c> (one ring per key; the portal uses one).</summary>
public sealed class KeyRingGrain(
    ProcurementStore store,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IKeyRingGrain
{
    private const string SelectSql = "SELECT xml FROM data_protection_keys WHERE name LIKE @Prefix ORDER BY created_at, name";

    private const string CountSql = "SELECT COUNT(*) FROM data_protection_keys WHERE name = @Name";

    private const string InsertSql = "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @At)";

    private string Prefix => $"{this.GetPrimaryKeyString()}/";

    public async Task<IReadOnlyList<string>> GetAllAsync() =>
        (await store.ReadAsync(connection => connection.QueryAsync<string>(SelectSql, new { Prefix = Prefix + "%" }))).ToList();

    public Task StoreAsync(string name, string xml)
    {
        Check.Id(name, "name");
        Check.NotNull(xml, "xml");
        var key = Prefix + name;
        return store.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<long>(CountSql, new { Name = key }, transaction) == 0)
            {
                await connection.ExecuteAsync(InsertSql, new { Name = key, Xml = xml, At = ProcurementClock.Now(clock) }, transaction);
                await EventLog.AppendAsync(connection, transaction, ProcurementClock.Now(clock), "system:data-protection", null, "key-ring", key, "KeyAdded", new { name = key });
            }
        });
    }
}
