namespace Procurement.Silo.Seeding;

/// <summary>
/// The business clock of a silo that may seed the demo: the system clock, which the demo seed may
/// set back while it replays earlier rounds through the grains (on an empty store only), and which
/// is tied to the system clock for good once the seed has finished (<see cref="Seal"/>): from then
/// on nothing can move it. A silo started with <c>Demo:Seed=false</c> never gets this clock.
/// </summary>
public sealed class DemoClock : TimeProvider, IDemoClockControl
{
    private long _offsetTicks;
    private int _sealed;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public override long GetTimestamp() => System.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => System.LocalTimeZone;

    public bool IsSealed => Volatile.Read(ref _sealed) == 1;

    /// <summary>Sets business time to <paramref name="instant"/> (it runs on from there); refused once sealed.</summary>
    public void SetUtcNow(DateTimeOffset instant)
    {
        if (IsSealed)
        {
            throw new InvalidOperationException("The demo clock is sealed: business time is the system's.");
        }
        Interlocked.Exchange(ref _offsetTicks, (instant - System.GetUtcNow()).Ticks);
    }

    public void ReturnToPresent() => Seal();

    /// <summary>Back to the system clock, for good.</summary>
    public void Seal()
    {
        Interlocked.Exchange(ref _offsetTicks, 0);
        Volatile.Write(ref _sealed, 1);
    }
}
