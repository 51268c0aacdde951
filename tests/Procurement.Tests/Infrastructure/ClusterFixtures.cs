using Microsoft.Extensions.Time.Testing;
using Procurement.Grains.Storage;
using Xunit;

namespace Procurement.Tests.Infrastructure;

/// <summary>One silo over a fresh database, with a business clock the tests move by hand.</summary>
public abstract class ClusterFixture(string provider) : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));

    public SiloCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await SiloCluster.StartAsync(TestStores.For(provider), Clock);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class SqliteClusterFixture() : ClusterFixture(StoreProviders.Sqlite);

public sealed class PostgresClusterFixture() : ClusterFixture(StoreProviders.PostgreSql);
