using Procurement.Contracts.Grains;

namespace Procurement.Grains.Hosting;

/// <summary>
/// The business clock (deadlines, receipt times, opening) is a keyed <see cref="TimeProvider"/>,
/// apart from the one Orleans itself runs on, so a test can freeze or step business time to the
/// millisecond without stopping the runtime's own timers.
/// </summary>
public static class ProcurementClock
{
    public const string Key = BusinessClock.Key;

    /// <summary>Stored instants keep whole microseconds, the finest precision every database keeps.</summary>
    public static DateTimeOffset Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }
}
