using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;

namespace Procurement.Grains.Orders;

/// <summary>
/// The order clock. Every window and due date is a stored instant; a reminder (kept in the store,
/// so it survives any restart) wakes this grain every <see cref="OrderOptions.ClockPeriod"/>, and
/// it has each hospital with something due apply it through its own grain, the only writer of its
/// rows. A move is decided by the stored instant, not by when the tick came: a delivery deemed
/// accepted counts from its window's end, so a late tick changes nothing but the moment it is seen.
/// </summary>
public sealed class OrderClockGrain(
    OrderRepository orders,
    IOptions<OrderOptions> options,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock,
    ILogger<OrderClockGrain> logger) : Grain, IOrderClockGrain, IRemindable
{
    private const string Reminder = "order-clock";

    public async Task EnsureRunningAsync()
    {
        if (await this.GetReminder(Reminder) is null)
        {
            await this.RegisterOrUpdateReminder(Reminder, options.Value.ClockPeriod, options.Value.ClockPeriod);
        }
    }

    public async Task<int> SweepAsync()
    {
        var hospitals = await orders.DueHospitalsAsync(ProcurementClock.Now(clock), options.Value.HospitalsPerTick);
        var moves = 0;
        foreach (var hospital in hospitals)
        {
            try
            {
                moves += await GrainFactory.GetGrain<IHospitalOrdersGrain>(hospital).ApplyDeadlinesAsync();
            }
            catch (Exception ex)
            {
                // One hospital's failure must not hold the others' deadlines back; it is tried again next tick.
                logger.LogError(ex, "Applying the deadlines of hospital {HospitalId} failed; the next tick tries again.", hospital);
            }
        }
        return moves;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Reminder)
        {
            await SweepAsync();
        }
    }
}
