using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Procurement.BidPortal.Api;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Cluster;

/// <summary>
/// A grain call that fails in the database (a table dropped under a fresh store) reaches its caller
/// as <see cref="InternalErrorException"/>: code <c>INTERNAL_ERROR</c> and a correlation id, not
/// Orleans' <c>CodecNotFoundException</c> for the driver's exception type, and without the SQL, the
/// table or the driver's message; the silo logs the original under the same id. Through the gateway
/// (a standalone portal) and through the silo's own grain factory (the co-hosted portal), for a
/// method's own read and for a read in the grain's activation. The portal's API answers it with 500,
/// the code and the correlation id.
/// </summary>
public sealed class InternalErrorTests
{
    [Theory]
    [InlineData(StoreProviders.Sqlite)]
    [InlineData(StoreProviders.PostgreSql)]
    public async Task A_database_failure_reaches_the_caller_as_an_internal_error_with_a_correlation_id_and_no_sql(string provider)
    {
        await using var cluster = await SiloCluster.StartAsync(TestStores.For(provider), TimeProvider.System);
        await cluster.Database.ReadAsync(connection => connection.ExecuteAsync("DROP TABLE distributor_designations"));
        await cluster.Database.ReadAsync(connection => connection.ExecuteAsync("DROP TABLE user_sessions"));
        await cluster.Database.ReadAsync(connection => connection.ExecuteAsync("DROP TABLE user_accounts"));

        var calls = new (string Name, Func<IGrainFactory, Task> Call)[]
        {
            ("read", grains => grains.GetGrain<IOrderDirectoryGrain>(0).ListDesignationsToAsync("D-JINGJIN")),
            ("activation", grains => grains.GetGrain<IAccountGrain>($"nobody-{Guid.NewGuid():N}"[..20]).GetAsync()),
        };
        foreach (var (name, call) in calls)
        {
            foreach (var grains in new[] { cluster.Client, cluster.SiloGrainFactory })
            {
                var error = await Assert.ThrowsAsync<InternalErrorException>(() => call(grains));

                Assert.Equal(ErrorCodes.InternalError, error.Code);
                Assert.Matches("^[0-9a-f]{32}$", error.CorrelationId);
                Assert.Contains(error.CorrelationId, error.Message);
                foreach (var secret in new[] { "distributor_designations", "user_accounts", "SELECT", "no such table", "does not exist", "SQLite", "Postgres", "Password", "Host=" })
                {
                    Assert.DoesNotContain(secret, error.ToString(), StringComparison.OrdinalIgnoreCase);
                }
                Assert.Null(error.InnerException);
                Assert.Contains(cluster.Logs.Lines, line => line.Contains(error.CorrelationId, StringComparison.Ordinal)
                    && line.Contains(name == "read" ? "distributor_designations" : "user_accounts", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task The_api_answers_an_internal_error_with_500_its_code_and_the_correlation_id()
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Path = "/api/orders";
        context.Response.Body = new MemoryStream();
        var error = new InternalErrorException("0123456789abcdef0123456789abcdef");
        context.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = error, Path = "/api/orders" });

        await Problems.HandleAsync(context);

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var problem = await JsonSerializer.DeserializeAsync<JsonElement>(context.Response.Body);
        Assert.Equal(ErrorCodes.InternalError, problem.GetProperty("code").GetString());
        Assert.Equal(error.CorrelationId, problem.GetProperty("correlationId").GetString());
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public void Only_refusals_orleans_own_timeouts_and_cancellations_cross_as_they_are()
    {
        Assert.True(InternalErrorFilter.CrossesAsItIs(new ProcurementException(ErrorCodes.NotFound, "gone")));
        Assert.True(InternalErrorFilter.CrossesAsItIs(new InternalErrorException("0123")));
        Assert.True(InternalErrorFilter.CrossesAsItIs(new SiloUnavailableException()));
        Assert.True(InternalErrorFilter.CrossesAsItIs(new TimeoutException()));
        Assert.True(InternalErrorFilter.CrossesAsItIs(new TaskCanceledException()));

        Assert.False(InternalErrorFilter.CrossesAsItIs(new Microsoft.Data.Sqlite.SqliteException("SQLite Error 1: 'no such table: t'.", 1)));
        Assert.False(InternalErrorFilter.CrossesAsItIs(new InvalidOperationException("Error parsing column 2 (amount=abc)")));
        // An allowed type carrying a driver's exception inside would carry it across the wire too.
        Assert.False(InternalErrorFilter.CrossesAsItIs(new OrleansException("activation failed", new Microsoft.Data.Sqlite.SqliteException("no such table: t", 1))));
        Assert.False(InternalErrorFilter.CrossesAsItIs(new AggregateException(new TimeoutException(), new InvalidCastException())));
    }
}
