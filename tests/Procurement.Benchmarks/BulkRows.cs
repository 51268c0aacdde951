using Npgsql;
using NpgsqlTypes;
using Procurement.Grains.Storage;

namespace Procurement.Benchmarks;

/// <summary>
/// Rows of one table loaded the fastest plain way each database has, for seeding a benchmark's
/// store: on PostgreSQL a binary COPY, elsewhere the store's own bulk INSERT
/// (<see cref="Prepared{T}.InsertAsync"/>: one prepared statement per row on SQLite, multi-row
/// statements on a server), in one transaction per call. Each value's .NET type must be the
/// column's (int for INTEGER, long for BIGINT, DateTimeOffset for TIMESTAMPTZ): COPY converts nothing.
/// </summary>
internal sealed class BulkRows<T>(string table, params (string Column, Func<T, object?> Value)[] columns)
{
    private readonly Prepared<T> _insert = Prepared<T>.Insert(table, columns);

    private readonly string _copy = $"COPY {table} ({string.Join(", ", columns.Select(c => c.Column))}) FROM STDIN (FORMAT BINARY)";

    public async Task LoadAsync(ProcurementStore store, IEnumerable<T> rows)
    {
        if (store.Dialect.Name != StoreProviders.PostgreSql)
        {
            var list = rows as IReadOnlyList<T> ?? rows.ToList();
            await store.WriteAsync((c, t) => _insert.InsertAsync(store.Dialect, c, t, list));
            return;
        }
        await using var connection = (NpgsqlConnection)await store.Dialect.OpenAsync();
        await using var writer = await connection.BeginBinaryImportAsync(_copy);
        writer.Timeout = TimeSpan.FromMinutes(10);
        foreach (var row in rows)
        {
            await writer.StartRowAsync();
            foreach (var (_, value) in columns)
            {
                switch (value(row))
                {
                    case null:
                        await writer.WriteNullAsync();
                        break;
                    case string text:
                        await writer.WriteAsync(text, NpgsqlDbType.Text);
                        break;
                    case int number:
                        await writer.WriteAsync(number, NpgsqlDbType.Integer);
                        break;
                    case long number:
                        await writer.WriteAsync(number, NpgsqlDbType.Bigint);
                        break;
                    case DateTimeOffset instant:
                        await writer.WriteAsync(instant.UtcDateTime, NpgsqlDbType.TimestampTz);
                        break;
                    case var other:
                        throw new InvalidOperationException($"{table}: no COPY type for a {other.GetType().Name}.");
                }
            }
        }
        await writer.CompleteAsync();
    }
}
