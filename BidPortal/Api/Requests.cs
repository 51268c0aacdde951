using Procurement.Contracts.Domain;

namespace Procurement.BidPortal.Api;

public sealed record SignInRequest(string UserName, string Password);

public sealed record CreateBatchRequest(string BatchId, TenderBatchDefinition Definition);

/// <summary>A bid to submit or amend. The client request id makes a retried request act once.</summary>
public sealed record BidRequest(string ClientRequestId, BidContent Content);

public sealed record TextRequest(string Text);

/// <summary>A manufacturer's qualification for the product or category of the address.</summary>
public sealed record QualificationRequest(bool ConsistencyEvaluationPassed, int YearsOfProduction, bool GmpViolationInLastTwoYears, string? GmpRecordReference);

/// <summary>An opening officer's decrypted share, as its private key gives it.</summary>
public sealed record ShareRequest(string Share);

public sealed record FinaliseRequest(DateOnly? AgreementsStart);

/// <summary>The award as a manufacturer or hospital may see it: allocations for all, statements of the caller's own bids only.</summary>
public sealed record AwardResponse(AwardView Award, bool Final);

/// <summary>The alliance's monitoring dashboard of one batch.</summary>
public sealed record MonitoringResponse(
    Completion? Batch,
    IReadOnlyList<Completion> Regions,
    IReadOnlyList<Completion> Products,
    IReadOnlyList<Completion> Agreements,
    IReadOnlyList<Completion> FlaggedHospitals,
    IReadOnlyList<Agreement> ExpiringSoon,
    IReadOnlyList<Notification> Notifications,
    IReadOnlyList<ComponentPurchase>? ComponentPurchases = null);

public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

public sealed record ResetPasswordRequest(string NewPassword);
