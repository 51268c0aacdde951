using System.Security.Claims;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Security;

/// <summary>
/// The grains as the signed-in user may reach them: every call names the user in the request
/// context (for the event log), and the organisation checks live here, once, for pages and API alike.
/// A resource of another organisation is refused with <c>FORBIDDEN</c> before any grain changes.
/// </summary>
public sealed class GrainAccess(IClusterClient client, IHttpContextAccessor http)
{
    public IClusterClient Client => Act();

    private ClaimsPrincipal User => http.HttpContext?.User ?? new ClaimsPrincipal();

    /// <summary>Puts the signed-in user into the request context of the grain calls that follow on this flow.</summary>
    public IClusterClient Act()
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            RequestContext.Set(RequestActor.Key, User.Actor());
        }
        return client;
    }

    /// <summary>
    /// A batch id from an address or form; a missing one is a batch that does not exist, not a
    /// server fault; a malformed one is refused before any grain is activated for it.
    /// </summary>
    private static string BatchKey(string? batchId) =>
        string.IsNullOrWhiteSpace(batchId)
            ? throw new ProcurementException(ErrorCodes.NotFound, "No batch was named.", "batchId")
            : EntityId.Require(batchId, "batchId");

    public static ProcurementException Forbidden(string what) =>
        new(ErrorCodes.Forbidden, $"You may not see or change {what}.");

    /// <summary>A batch of the signed-in alliance.</summary>
    public async Task<TenderBatchView> AllianceBatchAsync(string batchId)
    {
        var view = await Act().GetGrain<ITenderBatchGrain>(BatchKey(batchId)).GetAsync();
        if (view.Definition?.AllianceId != User.Organisation())
        {
            throw Forbidden($"batch {batchId}");
        }
        return view;
    }

    /// <summary>
    /// A hospital taking part in a batch of the signed-in alliance, with the batch: another
    /// alliance's batch is <c>FORBIDDEN</c>, a hospital outside it <c>NOT_FOUND</c> naming
    /// <c>hospitalId</c> (checked against the batch, so no grain is activated for a stray id).
    /// </summary>
    public async Task<(TenderBatchView Batch, IHospitalGrain Hospital)> AllianceBatchHospitalAsync(string batchId, string? hospitalId)
    {
        var view = await AllianceBatchAsync(batchId);
        if (hospitalId is null || !view.Definition!.HospitalIds.Contains(hospitalId, StringComparer.Ordinal))
        {
            throw new ProcurementException(ErrorCodes.NotFound, $"Hospital {hospitalId} does not take part in batch {batchId}.", "hospitalId");
        }
        return (view, Act().GetGrain<IHospitalGrain>(hospitalId));
    }

    /// <summary>A batch as a manufacturer sees it: only once bidding has opened.</summary>
    public async Task<TenderBatchView> BiddingBatchAsync(string batchId)
    {
        var view = await Act().GetGrain<ITenderBatchGrain>(BatchKey(batchId)).GetAsync();
        if (view.Phase < TenderBatchPhase.Bidding)
        {
            throw Forbidden($"batch {batchId} before bidding opens");
        }
        return view;
    }

    /// <summary>
    /// A batch as announced to manufacturers while hospitals report: its products, maximum prices
    /// and windows may be shown (the coming batches of the manufacturer's home page), nothing reported.
    /// </summary>
    public async Task<TenderBatchView> AnnouncedBatchAsync(string batchId)
    {
        var view = await Act().GetGrain<ITenderBatchGrain>(BatchKey(batchId)).GetAsync();
        if (view.Phase < TenderBatchPhase.VolumeReporting)
        {
            throw Forbidden($"batch {batchId} before volume reporting opens");
        }
        return view;
    }

    /// <summary>A batch the signed-in hospital takes part in.</summary>
    public async Task<TenderBatchView> HospitalBatchAsync(string batchId)
    {
        var view = await Act().GetGrain<ITenderBatchGrain>(BatchKey(batchId)).GetAsync();
        if (view.Definition is null || !view.Definition.HospitalIds.Contains(User.Organisation()))
        {
            throw Forbidden($"batch {batchId}");
        }
        return view;
    }

    /// <summary>An agreement of a batch of the signed-in alliance.</summary>
    public async Task<Agreement> AllianceAgreementAsync(Guid agreementId)
    {
        Agreement agreement;
        try
        {
            agreement = await Act().GetGrain<IAgreementGrain>(agreementId).GetAsync();
        }
        catch (ProcurementException ex) when (ex.Code == ErrorCodes.AgreementNotFound)
        {
            throw Forbidden($"agreement {agreementId}");
        }
        await AllianceBatchAsync(agreement.BatchId);
        return agreement;
    }

    /// <summary>Records a read by the signed-in user (an export, opened bids) in the event log.</summary>
    public Task RecordAsync(string eventType, string? batchId, string entityType, string entityId, string detail) =>
        Act().GetGrain<IAccountGrain>(User.UserName()).RecordAccessAsync(new AccessRecord(eventType, batchId, entityType, entityId, detail));

    public IBidderGrain Bidder() => Act().GetGrain<IBidderGrain>(User.Organisation());

    public IHospitalGrain Hospital() => Act().GetGrain<IHospitalGrain>(User.Organisation());

    public IDirectoryGrain Directory() => Act().GetGrain<IDirectoryGrain>(0);

    public IMonitoringGrain Monitoring() => Act().GetGrain<IMonitoringGrain>(0);

    /// <summary>The rule-set names and parameter keys, from the award engine's registry.</summary>
    public IRuleSetCatalogGrain RuleSets() => Act().GetGrain<IRuleSetCatalogGrain>(0);

    /// <summary>The signed-in hospital's purchasing.</summary>
    public IHospitalOrdersGrain Orders() => Act().GetGrain<IHospitalOrdersGrain>(User.Organisation());

    public IOrderDirectoryGrain OrderDirectory() => Act().GetGrain<IOrderDirectoryGrain>(0);

    /// <summary>The manufacturer x region pairs that designated the signed-in distributor.</summary>
    public async Task<HashSet<(string ManufacturerId, string RegionCode)>> DesignationsToAsync(string distributorId) =>
        (await OrderDirectory().ListDesignationsToAsync(distributorId)).Select(d => (d.ManufacturerId, d.RegionCode)).ToHashSet();

    /// <summary>The purchasing of the hospital an order belongs to; the grain then checks that the supplier may act on the line.</summary>
    public async Task<IHospitalOrdersGrain> OrdersOfOrderAsync(Guid orderId) =>
        await OrderDirectory().FindOrderAsync(orderId) is { } hospital
            ? Act().GetGrain<IHospitalOrdersGrain>(hospital)
            : throw new ProcurementException(ErrorCodes.OrderNotFound, $"Order {orderId} does not exist.", "orderId");

    public async Task<IHospitalOrdersGrain> OrdersOfDeliveryAsync(Guid deliveryId) =>
        await OrderDirectory().FindDeliveryAsync(deliveryId) is { } hospital
            ? Act().GetGrain<IHospitalOrdersGrain>(hospital)
            : throw new ProcurementException(ErrorCodes.DeliveryNotFound, $"Delivery {deliveryId} does not exist.", "deliveryId");

    /// <summary>An invoice bought under the signed-in alliance's agreement or price list, whose fund may settle it.</summary>
    public async Task<IHospitalOrdersGrain> AllianceInvoiceAsync(Guid invoiceId)
    {
        if (await OrderDirectory().FindInvoiceAsync(invoiceId) is not { } hospital)
        {
            throw Forbidden($"invoice {invoiceId}");
        }
        var orders = Act().GetGrain<IHospitalOrdersGrain>(hospital);
        if ((await orders.GetInvoiceAsync(invoiceId)).AllianceId != User.Organisation())
        {
            throw Forbidden($"invoice {invoiceId}");
        }
        return orders;
    }

    public ITenderBatchGrain Batch(string batchId) => Act().GetGrain<ITenderBatchGrain>(BatchKey(batchId));
}
