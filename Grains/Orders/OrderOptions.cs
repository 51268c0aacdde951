using Microsoft.Extensions.Options;
using Procurement.Grains.Orders.Domain;

namespace Procurement.Grains.Orders;

/// <summary>
/// The windows of purchasing after the award, bound from the <c>Orders</c> section. The defaults
/// follow common provincial practice (DOMAIN.md): a supplier answers within 24 hours (8 for an
/// emergency line), the hospital accepts within 3 working days and pays within 30 days of
/// acceptance unless its alliance sets another term.
/// </summary>
public sealed class OrderOptions
{
    public const string Section = "Orders";

    public TimeSpan ResponseWindow { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan EmergencyResponseWindow { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long after placement a line is delivered on time (Shanxi: 72 hours).</summary>
    public TimeSpan DeliveryWindow { get; set; } = TimeSpan.FromHours(72);

    /// <summary>The same for an emergency line.</summary>
    public TimeSpan EmergencyDeliveryWindow { get; set; } = TimeSpan.FromHours(24);

    public int AcceptanceWorkingDays { get; set; } = 3;

    public int PaymentDays { get; set; } = 30;

    /// <summary>How often the order clock looks for passed windows and due dates.</summary>
    public TimeSpan ClockPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Hospitals the clock handles per tick at most; the rest wait for the next tick.</summary>
    public int HospitalsPerTick { get; set; } = 1_000;

    /// <summary>A hospital's lapsed lines, deemed deliveries and overdue invoices moved per tick at most, each; the rest wait for the next tick.</summary>
    public int DueMovesPerTick { get; set; } = 2_000;

    /// <summary>A supplier whose fill rate on agreed lines due in the last <see cref="RiskDays"/> days is below this is a supply risk.</summary>
    public decimal RiskFillRate { get; set; } = 0.95m;

    public int RiskDays { get; set; } = 7;

    /// <summary>A hospital whose reported volume differs from its last twelve months' purchases by more than this share is listed to its alliance.</summary>
    public decimal ReportMismatchShare { get; set; } = 0.20m;

    /// <summary>Lines per order at most.</summary>
    public int MaxLines { get; set; } = 500;

    /// <summary>
    /// Public holidays in the business zone (yyyy-MM-dd): not working days, though Monday to
    /// Friday. China's are set each year by the State Council's notice, with weekend days worked in
    /// their place (<see cref="WorkingWeekendDays"/>); the operator enters both from the notice.
    /// </summary>
    public List<string> Holidays { get; set; } = [];

    /// <summary>Saturdays and Sundays that are working days (调休), yyyy-MM-dd.</summary>
    public List<string> WorkingWeekendDays { get; set; } = [];

    /// <summary>Dates each calendar list holds at most (a few years of notices).</summary>
    public const int MaxCalendarDays = 1_000;

    private WorkingCalendar? _calendar;

    /// <summary>The working days the acceptance window counts (the lists are validated at start).</summary>
    public WorkingCalendar Calendar => _calendar ??= WorkingCalendar.Parse(Holidays, WorkingWeekendDays, failures: null);
}

public sealed class OrderOptionsValidator : IValidateOptions<OrderOptions>
{
    public ValidateOptionsResult Validate(string? name, OrderOptions options)
    {
        var failures = new List<string>();
        if (options.ResponseWindow <= TimeSpan.Zero || options.EmergencyResponseWindow <= TimeSpan.Zero)
        {
            failures.Add("Orders:ResponseWindow and Orders:EmergencyResponseWindow must be positive.");
        }
        if (options.DeliveryWindow <= TimeSpan.Zero || options.EmergencyDeliveryWindow <= TimeSpan.Zero)
        {
            failures.Add("Orders:DeliveryWindow and Orders:EmergencyDeliveryWindow must be positive.");
        }
        if (options.AcceptanceWorkingDays is < 1 or > 30)
        {
            failures.Add("Orders:AcceptanceWorkingDays must be between 1 and 30.");
        }
        if (options.PaymentDays is < 1 or > 180)
        {
            failures.Add("Orders:PaymentDays must be between 1 and 180.");
        }
        if (options.ClockPeriod < TimeSpan.FromSeconds(1))
        {
            failures.Add("Orders:ClockPeriod must be at least one second.");
        }
        if (options.HospitalsPerTick is < 1 or > 100_000)
        {
            failures.Add("Orders:HospitalsPerTick must be between 1 and 100000.");
        }
        if (options.DueMovesPerTick is < 1 or > 100_000)
        {
            failures.Add("Orders:DueMovesPerTick must be between 1 and 100000.");
        }
        if (options.RiskFillRate is <= 0m or > 1m || options.RiskDays is < 1 or > 90)
        {
            failures.Add("Orders:RiskFillRate must be above 0 and at most 1, Orders:RiskDays between 1 and 90.");
        }
        if (options.ReportMismatchShare is <= 0m or > 10m)
        {
            failures.Add("Orders:ReportMismatchShare must be above 0 and at most 10.");
        }
        if (options.MaxLines is < 1 or > 5_000)
        {
            failures.Add("Orders:MaxLines must be between 1 and 5000.");
        }
        if (options.Holidays.Count > OrderOptions.MaxCalendarDays || options.WorkingWeekendDays.Count > OrderOptions.MaxCalendarDays)
        {
            failures.Add($"Orders:Holidays and Orders:WorkingWeekendDays hold at most {OrderOptions.MaxCalendarDays} dates each.");
        }
        else
        {
            WorkingCalendar.Parse(options.Holidays, options.WorkingWeekendDays, failures);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
