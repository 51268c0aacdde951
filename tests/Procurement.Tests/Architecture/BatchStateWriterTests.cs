using System.Reflection;
using System.Text.RegularExpressions;
using Procurement.Grains.Batches;
using Procurement.Grains.Storage;
using Procurement.Grains.Storage.Dialects;
using Procurement.Tests.Infrastructure;
using Xunit;
using Procurement.Grains.Awards;

namespace Procurement.Tests.Architecture;

/// <summary>
/// The batch grain is the only writer of its batch's state (issue 17): every statement that writes
/// <c>tender_batches</c> and every event about a batch's phase or its proposed award is in
/// <see cref="BatchRepository"/>, and only <see cref="TenderBatchGrain"/> calls those methods. Read
/// from the IL of the grains and the silo, so a statement written inline anywhere is found.
/// </summary>
public sealed partial class BatchStateWriterTests
{
    private static readonly Assembly[] Code = [typeof(ProcurementStore).Assembly, typeof(Procurement.Silo.Hosting.StoreHealthCheck).Assembly];

    [Fact]
    public void Only_the_batch_repository_writes_tender_batches_and_the_batch_phase_events()
    {
        var writers = BatchStateWrites().ToList();

        Assert.NotEmpty(writers);
        Assert.All(writers, w => Assert.True(
            Il.WrittenIn(w.Method.DeclaringType!) == typeof(BatchRepository),
            $"{Il.WrittenIn(w.Method.DeclaringType!).Name}.{Il.WrittenInMethod(w.Method)} writes the batch's state: {w.Text}"));
        // The award's own rows are the worker's; the batch's phase and its link to the award are not.
        Assert.Equal(
            ["ChangePhaseAsync", "ProposeAwardAsync", "SaveDefinitionAsync", "SaveRenewalAsync"],
            writers.Select(w => Il.WrittenInMethod(w.Method)).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_the_batch_grain_calls_the_methods_that_write_a_batch()
    {
        var writing = BatchStateWrites().Select(w => Il.WrittenInMethod(w.Method)).ToHashSet(StringComparer.Ordinal);
        var callers = Code
            .SelectMany(Il.Bodies)
            .SelectMany(b => Il.CalledMethods(b.Method, b.Body)
                .Where(c => c.DeclaringType == typeof(BatchRepository) && writing.Contains(c.Name))
                .Select(c => (Caller: Il.WrittenIn(b.Method.DeclaringType!), Called: c.Name)))
            .Where(c => c.Caller != typeof(BatchRepository))
            .Distinct()
            .ToList();

        Assert.Contains((typeof(TenderBatchGrain), "ProposeAwardAsync"), callers);
        Assert.All(callers, c => Assert.True(c.Caller == typeof(TenderBatchGrain), $"{c.Caller.Name} calls BatchRepository.{c.Called}"));
    }

    [Fact]
    public void The_award_worker_stores_the_award_and_hands_it_to_the_batch()
    {
        var called = Il.Bodies(typeof(AwardWorkerGrain).Assembly)
            .Where(b => Il.WrittenIn(b.Method.DeclaringType!) == typeof(AwardWorkerGrain))
            .SelectMany(b => Il.CalledMethods(b.Method, b.Body))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("AwardRepository.StoreAsync", called);
        Assert.Contains("ITenderBatchGrain.AwardProposedAsync", called);
        Assert.DoesNotContain(called, c => c.StartsWith("BatchRepository.", StringComparison.Ordinal) && c != "BatchRepository.LoadAsync");
    }

    /// <summary>
    /// Strings that write the batch row or name an event about its phase or proposed award. A
    /// statement whose text differs between databases is a property of the dialect's statement set
    /// (<see cref="DialectStatements"/>): it counts as written where that property is read.
    /// </summary>
    private static IEnumerable<(MethodBase Method, string Text)> BatchStateWrites()
    {
        var statements = new SqlServerStatements();
        var dialectWrites = typeof(DialectStatements).GetProperties()
            .Where(p => p.PropertyType == typeof(string) && WritesBatch().IsMatch((string)p.GetValue(statements)!))
            .ToDictionary(p => p.GetMethod!.Name, p => (string)p.GetValue(statements)!, StringComparer.Ordinal);
        var direct =
            from body in Code.SelectMany(Il.Bodies)
            where !typeof(DialectStatements).IsAssignableFrom(body.Method.DeclaringType)
            from text in Il.LoadedStrings(body.Method, body.Body)
            where WritesBatch().IsMatch(text) || text == "AwardProposed" || text.StartsWith("PhaseChangedTo", StringComparison.Ordinal)
            select (body.Method, text);
        var throughDialect =
            from body in Code.SelectMany(Il.Bodies)
            from called in Il.CalledMethods(body.Method, body.Body)
            where called.DeclaringType == typeof(DialectStatements) && dialectWrites.ContainsKey(called.Name)
            select (body.Method, dialectWrites[called.Name]);
        return direct.Concat(throughDialect);
    }

    [GeneratedRegex(@"\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM|MERGE\s+INTO)\s+tender_batches\b", RegexOptions.IgnoreCase)]
    private static partial Regex WritesBatch();
}
