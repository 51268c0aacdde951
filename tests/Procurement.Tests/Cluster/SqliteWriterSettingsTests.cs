using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>
/// The SQLite writer's settings from configuration: durability and the page cache apply to the
/// writer's connection, and a cache out of its range is refused before the store starts, naming
/// the setting.
/// </summary>
public sealed class SqliteWriterSettingsTests
{
    [Fact]
    public async Task The_writer_connection_takes_the_configured_cache_and_durability()
    {
        var options = TestStores.Sqlite();
        options.SqliteSynchronous = "FULL";
        options.SqliteCacheMiB = 256;
        var dialect = SqlDialect.Create(options);

        await using (var writer = await dialect.OpenForWriteAsync())
        {
            Assert.Equal(-256L * 1024, await PragmaAsync(writer, "cache_size"));
            Assert.Equal(2L, await PragmaAsync(writer, "synchronous"));
            Assert.Equal(2L, await PragmaAsync(writer, "temp_store"));
        }

        // The default: 64 MiB.
        await using var defaulted = await SqlDialect.Create(TestStores.Sqlite()).OpenForWriteAsync();
        Assert.Equal(-64L * 1024, await PragmaAsync(defaulted, "cache_size"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16_385)]
    [InlineData(-64)]
    public void A_cache_outside_2_to_16384_MiB_is_refused_naming_the_setting(int mib)
    {
        var options = TestStores.Sqlite();
        options.SqliteCacheMiB = mib;

        var result = new StoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Store:SqliteCacheMiB must be between 2 and 16384, not {mib}.", result.FailureMessage);
        options.SqliteCacheMiB = 16_384;
        Assert.True(new StoreOptionsValidator().Validate(null, options).Succeeded);
    }

    private static async Task<long> PragmaAsync(System.Data.Common.DbConnection connection, string name)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
