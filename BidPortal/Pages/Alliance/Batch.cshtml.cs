using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Procurement.Contracts.Grains;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Pages.Alliance;

/// <summary>One batch for its alliance: the phases, the award with its progress, statements, comparison, objections, finalising, renewal and exports.</summary>
public sealed class BatchModel(GrainAccess grains, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, IStringLocalizer<SharedResource> localizer) : PortalPage(grains, localizer)
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public string Mode { get; set; } = "cost-optimal";

    [BindProperty]
    public int TimeLimitSeconds { get; set; } = 10;

    [BindProperty]
    public Dictionary<string, decimal?> Budgets { get; set; } = [];

    [BindProperty]
    public string? WhatIfRuleSet { get; set; }

    public TenderBatchView View { get; private set; } = null!;


    public AwardView? Award { get; private set; }

    public IReadOnlyList<Objection> Objections { get; private set; } = [];

    public IReadOnlyList<AwardVariant>? Comparison { get; private set; }

    public IReadOnlyList<Agreement> Agreements { get; private set; } = [];

    /// <summary>Volume reporting so far, while reporting is open or just closed.</summary>
    public ReportingProgress? Reporting { get; private set; }

    /// <summary>What the last reminder click did (set by the reminder page, shown once).</summary>
    [TempData]
    public string? Reminded { get; set; }

    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task OnGetAsync() => await LoadAsync();

    public Task<IActionResult> OnPostPhaseAsync(string step) => ActAsync(() => step switch
    {
        "open-reporting" => Grains.Batch(Id).OpenVolumeReportingAsync(),
        "close-reporting" => Grains.Batch(Id).CloseVolumeReportingAsync(),
        "open-bidding" => Grains.Batch(Id).OpenBiddingAsync(),
        "open-bids" => Grains.Batch(Id).OpenBidsAsync(),
        _ => throw Contracts.Errors.ProcurementException.Invalid("step", $"Unknown step '{step}'."),
    });

    public Task<IActionResult> OnPostAwardAsync() =>
        ActAsync(() => Grains.Batch(Id).RunAwardAsync(new AwardRequest(Mode, BudgetValues(), TimeLimitSeconds)));

    public async Task<IActionResult> OnPostCompareAsync()
    {
        await LoadAsync();
        await TryAsync(async () => Comparison = await Grains.Batch(Id).CompareAwardsAsync(
            new AwardComparisonRequest(["ranked-pick", "cost-optimal"], string.IsNullOrEmpty(WhatIfRuleSet) ? null : WhatIfRuleSet, BudgetValues(), TimeLimitSeconds)));
        return Page();
    }

    public Task<IActionResult> OnPostAnswerAsync(Guid objectionId, string answer) =>
        ActAsync(() => Grains.Batch(Id).AnswerObjectionAsync(objectionId, answer));

    public Task<IActionResult> OnPostFinaliseAsync() => ActAsync(() => Grains.Batch(Id).FinaliseAsync());

    public async Task<IActionResult> OnPostRenewAsync(string renewalId, string renewalName)
    {
        await LoadAsync();
        var now = clock.GetUtcNow();
        TenderBatchView? renewal = null;
        if (!await TryAsync(async () => renewal = await Grains.Batch(Id).CreateRenewalAsync(
                new RenewalRequest(renewalId, renewalName, new TenderWindows(now.AddDays(14), now.AddDays(30), now.AddDays(30), View.Definition!.Windows.PublicityDays), View.Definition.AgreementMonths))))
        {
            return Page();
        }
        return Redirect($"/Alliance/Batch?id={Uri.EscapeDataString(renewal!.BatchId)}");
    }

    private IReadOnlyDictionary<string, decimal> BudgetValues() =>
        Budgets.Where(b => b.Value is not null).ToDictionary(b => b.Key, b => b.Value!.Value);

    private async Task<IActionResult> ActAsync(Func<Task> action)
    {
        await LoadAsync();
        if (!await TryAsync(action))
        {
            return Page();
        }
        return RedirectToPage(new { id = Id });
    }

    private async Task LoadAsync()
    {
        View = await Grains.AllianceBatchAsync(Id);
        if (View.Phase is TenderBatchPhase.VolumeReporting or TenderBatchPhase.VolumeReportingClosed)
        {
            Reporting = await Grains.Batch(Id).GetReportingProgressAsync();
        }
        if (View.Phase >= TenderBatchPhase.Opened)
        {
            Award = await Grains.Batch(Id).GetAwardAsync();
            Objections = await Grains.Batch(Id).ListObjectionsAsync();
        }
        if (View.Phase >= TenderBatchPhase.Awarded)
        {
            Agreements = await Grains.Batch(Id).ListAgreementsAsync();
        }
    }
}
