using Procurement.Grains.Storage;

namespace Procurement.Tests.Infrastructure;

/// <summary>
/// Holds every writer loop of a store with a unit of its own, so that the units a test queues next
/// wait in the queue. <see cref="ReleaseFirst"/> lets one loop go: it takes everything queued as one
/// group. The other loops are let go only by <see cref="ReleaseOthersAsync"/>, after the test has
/// seen its group through; freed at the same moment, two loops would split the queue between them
/// (a server store has four).
/// </summary>
public sealed class HeldWriterLoops
{
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _others = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _holders = [];

    private HeldWriterLoops()
    {
    }

    public static async Task<HeldWriterLoops> HoldAsync(ProcurementStore store)
    {
        var held = new HeldWriterLoops();
        for (var i = 0; i < store.Dialect.WriterCount; i++)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var gate = i == 0 ? held._first : held._others;
            held._holders.Add(store.WriteAsync(async (_, _) =>
            {
                started.TrySetResult();
                await gate.Task;
            }));
            // Each holder is running before the next is queued, so each holds a loop of its own.
            await started.Task;
        }
        return held;
    }

    public void ReleaseFirst() => _first.TrySetResult();

    public Task ReleaseOthersAsync()
    {
        _first.TrySetResult();
        _others.TrySetResult();
        return Task.WhenAll(_holders);
    }
}
