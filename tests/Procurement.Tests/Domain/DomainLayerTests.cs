using System.Reflection;
using Procurement.Grains.Batches.Domain;
using Procurement.Tests.Infrastructure;
using Xunit;

namespace Procurement.Tests.Domain;

/// <summary>
/// The domain layers (<c>Grains/*/Domain</c>) are plain C# (issue 17): no database, no Orleans, no
/// clock read inside (instants are passed in), no repository. Read from the IL of every method
/// they hold, so a call slipped into a lambda or an async method is found too.
/// </summary>
public sealed class DomainLayerTests
{
    private static readonly string[] ForbiddenNamespaces = ["System.Data", "Dapper", "Orleans", "Procurement.Grains.Storage", "Microsoft.Data", "Npgsql"];

    private static readonly Type[] DomainTypes = typeof(BatchLifecycle).Assembly.GetTypes()
        .Where(t => t.Namespace is { } ns && ns.StartsWith("Procurement.Grains.", StringComparison.Ordinal) && ns.EndsWith(".Domain", StringComparison.Ordinal))
        .ToArray();

    [Fact]
    public void The_batch_bidder_agreement_and_order_domains_are_there()
    {
        Assert.Equal(
            ["Procurement.Grains.Agreements.Domain", "Procurement.Grains.Batches.Domain", "Procurement.Grains.Bidders.Domain", "Procurement.Grains.Orders.Domain"],
            DomainTypes.Select(t => t.Namespace!).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void No_domain_type_calls_the_database_orleans_a_repository_or_the_clock()
    {
        var domain = DomainTypes.ToHashSet();
        var calls = Il.Bodies(typeof(BatchLifecycle).Assembly)
            .Where(b => domain.Contains(Il.WrittenIn(b.Method.DeclaringType!)))
            .SelectMany(b => Il.CalledMethods(b.Method, b.Body).Select(c => (Caller: $"{Il.WrittenIn(b.Method.DeclaringType!).Name}.{Il.WrittenInMethod(b.Method)}", Called: c)))
            .ToList();

        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.False(IsForbidden(c.Called), $"{c.Caller} calls {c.Called.DeclaringType?.FullName}.{c.Called.Name}"));
    }

    [Fact]
    public void No_domain_type_holds_a_connection_a_grain_a_repository_or_a_clock()
    {
        var held = DomainTypes
            .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Select(f => (t, f.FieldType))
                .Concat(t.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).SelectMany(c => c.GetParameters()).Select(p => (t, p.ParameterType))))
            .ToList();

        Assert.All(held, h => Assert.False(IsForbidden(h.Item2), $"{h.t.Name} holds a {h.Item2.FullName}"));
    }

    private static bool IsForbidden(MethodBase called) =>
        called.DeclaringType is { } type && (IsForbidden(type)
            || (type == typeof(DateTimeOffset) || type == typeof(DateTime)) && called.Name is "get_Now" or "get_UtcNow" or "get_Today");

    // Scaled lives beside the store but is arithmetic only (decimals to the integers the rows keep).
    private static bool IsForbidden(Type type) =>
        type != typeof(Procurement.Grains.Storage.Scaled)
        && (type == typeof(TimeProvider)
            || type.Name.EndsWith("Repository", StringComparison.Ordinal)
            || type.Name.EndsWith("Grain", StringComparison.Ordinal)
            || ForbiddenNamespaces.Any(ns => type.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal))));
}
