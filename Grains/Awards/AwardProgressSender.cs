using Procurement.Contracts.Domain;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Awards;

/// <summary>
/// The award worker's progress to its batch, for the drug and the consumables award alike: each
/// report is kept as the last one (it goes with the result), and sent to the batch one-way (the
/// solver never waits for it) at most twice a second, except the first and the counts
/// ("cost, 3/62 products", "allocation 2/5 categories"), which always go. Called from the solving thread.
/// </summary>
internal sealed class AwardProgressSender(ITenderBatchGrain batch, TimeProvider clock)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly object _gate = new();
    private TimeSpan _lastSent = TimeSpan.MinValue;
    private AwardProgress? _last;

    /// <summary>The last progress reported, to go with the result.</summary>
    public AwardProgress? Last => Volatile.Read(ref _last);

    public void Report(string phase, TimeSpan elapsed, decimal best, decimal bound)
    {
        var progress = new AwardProgress(phase, elapsed.TotalSeconds, best, bound, ProcurementClock.Now(clock));
        Volatile.Write(ref _last, progress);
        lock (_gate)
        {
            if (_lastSent != TimeSpan.MinValue && elapsed - _lastSent < Interval && !phase.Contains('/', StringComparison.Ordinal))
            {
                return;
            }
            _lastSent = elapsed;
        }
        _ = batch.AwardProgressAsync(progress);
    }
}
