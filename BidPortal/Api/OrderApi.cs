using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Procurement.BidPortal.Security;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;

namespace Procurement.BidPortal.Api;

/// <summary>
/// Purchasing after the award: hospitals order, accept deliveries and pay; suppliers answer, ship
/// and invoice; alliances list prices, set the payment term and settle directly for the insurance
/// fund. A hospital reaches only its own orders (its grain is keyed by its organisation); a
/// supplier only the lines it supplies or was designated for; an alliance only its own invoices.
/// Every write spends a token of its organisation's bucket (<see cref="PortalLimits.Orders"/>), every
/// read one of its organisation's bucket of reads.
/// </summary>
public static class OrderApi
{
    /// <summary>Answers to a client that sends no limit.</summary>
    private const int DefaultLimit = 100;

    public static RouteGroupBuilder MapOrderApi(this RouteGroupBuilder api)
    {
        var hospital = api.MapGroup("").WithTags("Orders").RequireAuthorization(PortalUser.Hospital).RequireRateLimiting(PortalLimits.Orders);
        hospital.MapPost("/orders", async (OrderRequest request, GrainAccess grains) => TypedResults.Ok(await grains.Orders().PlaceOrderAsync(request)))
            .RequireRateLimiting(PortalLimits.Orders).WithName("PlaceOrder").WithSummary("Places an order: each line priced and routed by the hospital's agreements or a listed price. The same requestId sent again returns the same order.");
        hospital.MapPost("/orders/upload", UploadOrderAsync).RequireRateLimiting(PortalLimits.Orders).WithName("UploadOrder")
            .Accepts<Stream>(UploadParser.CsvType, UploadParser.XlsxType)
            .WithSummary("The body is a CSV or XLSX sheet with product_id, quantity, delivery_point, urgency, manufacturer_id, substitute_reason; ?requestId= names the order. All lines placed, or none and every bad row.");
        hospital.MapGet("/orders", async (int? limit, GrainAccess grains) => TypedResults.Ok(await grains.Orders().ListOrdersAsync(limit ?? DefaultLimit)))
            .WithName("ListOrders").WithSummary("The hospital's orders, newest first.");
        hospital.MapPost("/deliveries/{deliveryId:guid}/decision", async (Guid deliveryId, DeliveryDecision decision, GrainAccess grains) =>
            TypedResults.Ok(await grains.Orders().DecideDeliveryAsync(deliveryId, decision)))
            .RequireRateLimiting(PortalLimits.Orders).WithName("DecideDelivery").WithSummary("Accepts (perhaps fewer units, with the reason) or rejects a delivery within 3 working days of its shipment.");
        hospital.MapPost("/invoices/{invoiceId:guid}/payment", async (Guid invoiceId, PaymentBody body, GrainAccess grains) =>
            TypedResults.Ok(await grains.Orders().PayAsync(new PaymentRequest(body.RequestId, invoiceId, body.Reference))))
            .RequireRateLimiting(PortalLimits.Orders).WithName("PayInvoice").WithSummary("Records the hospital's payment of an accepted delivery's invoice.");
        hospital.MapPost("/deliveries/decisions", async (List<DeliveryDecisionOf> decisions, GrainAccess grains) =>
            TypedResults.Ok(await grains.Orders().DecideDeliveriesAsync(decisions)))
            .RequireRateLimiting(PortalLimits.Orders).WithName("DecideDeliveries").WithSummary("Accepts or rejects many deliveries at once (a consignment), each with its request id; all or none.");
        hospital.MapPost("/invoices/payments", async (List<PaymentRequest> payments, GrainAccess grains) =>
            TypedResults.Ok(await grains.Orders().PayManyAsync(payments)))
            .RequireRateLimiting(PortalLimits.Orders).WithName("PayInvoices").WithSummary("Records the payment of many invoices at once (a statement), each with its request id; all or none.");
        hospital.MapGet("/hospital/deliveries", async (int? limit, GrainAccess grains) => TypedResults.Ok(await grains.Orders().ListDeliveriesAsync(limit ?? DefaultLimit)))
            .WithName("ListHospitalDeliveries");
        hospital.MapGet("/hospital/invoices", async (int? limit, GrainAccess grains) => TypedResults.Ok(await grains.Orders().ListInvoicesAsync(limit ?? DefaultLimit)))
            .WithName("ListHospitalInvoices");
        hospital.MapGet("/hospital/deliveries/to-accept", async (int? limit, GrainAccess grains) => TypedResults.Ok(await grains.Orders().ListDeliveriesToAcceptAsync(limit ?? DefaultLimit)))
            .WithName("ListHospitalDeliveriesToAccept").WithSummary("Every delivery still to accept or reject, the earliest deadline first (limit 1-500; more says others wait).");
        hospital.MapGet("/hospital/invoices/to-pay", async (int? limit, GrainAccess grains) => TypedResults.Ok(await grains.Orders().ListInvoicesToPayAsync(limit ?? DefaultLimit)))
            .WithName("ListHospitalInvoicesToPay").WithSummary("Every invoice still to pay (payable or overdue), the earliest due first (limit 1-500; more says others wait).");
        hospital.MapGet("/hospital/payments", async (int? limit, GrainAccess grains) => TypedResults.Ok(await grains.Orders().ListPaymentsAsync(limit ?? DefaultLimit)))
            .WithName("ListHospitalPayments");
        hospital.MapGet("/hospital/accepted-volumes", async (GrainAccess grains) => TypedResults.Ok(await grains.Orders().GetAcceptedVolumesAsync()))
            .WithName("GetAcceptedVolumes").WithSummary("Units accepted on the platform per product and per consumables category (systems and units; a component bought separately counts nowhere; category true) over the two years before this month, with the annual average: the history beside the next volume report or brand intention.");
        hospital.MapGet("/hospital/prepayment-ledger", async (GrainAccess grains) => TypedResults.Ok(await grains.Orders().GetLedgerAsync()))
            .WithName("GetPrepaymentLedger").WithSummary("The prepayment credited from the hospital's agreements, drawn by direct settlement, and the balance.");

        api.MapGet("/orders/{orderId:guid}", GetOrderAsync).WithTags("Orders").RequireRateLimiting(PortalLimits.Orders)
            .WithName("GetOrder").WithSummary("A hospital sees its own order; a supplier the lines of it that it supplies or was designated for.");

        var supplier = api.MapGroup("").WithTags("Supply").RequireAuthorization(PortalUser.Supplier).RequireRateLimiting(PortalLimits.Orders);
        supplier.MapGet("/supplier/lines", async (int? limit, string? after, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.OrderDirectory().ListSupplierLinesAsync(user.Organisation(), limit ?? DefaultLimit, after is null ? null : LineCursor.Parse(after, "after"))))
            .WithName("ListSupplierLines")
            .WithSummary($"The order lines the supplier answers for, with their deliveries and invoices, newest first: a page of at most limit (1-{SupplierLinePage.MaxLines}, 100 unless given); pass its 'next' as ?after= for the page after it (null: none left).");
        supplier.MapGet("/supplier/lines/to-answer", async (int? limit, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.OrderDirectory().ListLinesToAnswerAsync(user.Organisation(), limit ?? QueuedLines.MaxRows)))
            .WithName("ListLinesToAnswer").WithSummary($"Every line the supplier has still to confirm or refuse, the earliest answer-by first, at most limit (1-{QueuedLines.MaxRows}); 'more' says others wait.");
        supplier.MapGet("/supplier/lines/to-ship", async (int? limit, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.OrderDirectory().ListLinesToShipAsync(user.Organisation(), limit ?? QueuedLines.MaxRows)))
            .WithName("ListLinesToShip").WithSummary($"Every confirmed line with units left to ship, the earliest deliver-by first, at most limit (1-{QueuedLines.MaxRows}); 'more' says others wait.");
        supplier.MapGet("/supplier/deliveries/to-invoice", async (int? limit, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.OrderDirectory().ListDeliveriesToInvoiceAsync(user.Organisation(), limit ?? QueuedLines.MaxRows)))
            .WithName("ListDeliveriesToInvoice").WithSummary($"Every delivery of the supplier's lines not invoiced yet nor rejected, with its line, the earliest shipped first, at most limit (1-{QueuedLines.MaxRows}); 'more' says others wait.");
        supplier.MapPost("/orders/{orderId:guid}/lines/{lineNo:int}/response", async (Guid orderId, int lineNo, LineResponse body, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await (await grains.OrdersOfOrderAsync(orderId)).RespondToLineAsync(user.Organisation(), body.RequestId, orderId, lineNo, body.Confirm, body.Reason)))
            .RequireRateLimiting(PortalLimits.Orders).WithName("RespondToLine").WithSummary("Confirms or refuses a line within its response window (24 h, 8 h for an emergency line).");
        supplier.MapPost("/orders/{orderId:guid}/lines/{lineNo:int}/shipments", async (Guid orderId, int lineNo, ShipmentBody body, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await (await grains.OrdersOfOrderAsync(orderId)).ShipAsync(user.Organisation(), new ShipmentRequest(body.RequestId, orderId, lineNo, body.Quantity, body.LotNumber, body.ExpiryDate))))
            .RequireRateLimiting(PortalLimits.Orders).WithName("ShipLine").WithSummary("Ships part or all of a confirmed line's outstanding units, with lot number and expiry date.");
        supplier.MapPost("/deliveries/{deliveryId:guid}/invoice", async (Guid deliveryId, InvoiceBody body, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await (await grains.OrdersOfDeliveryAsync(deliveryId)).InvoiceAsync(user.Organisation(), new InvoiceRequest(body.RequestId, deliveryId, body.InvoiceNumber))))
            .RequireRateLimiting(PortalLimits.Orders).WithName("InvoiceDelivery").WithSummary("Invoices one delivery.");
        // Many lines of one order at once (a whole order confirmed, shipped or invoiced in one request).
        supplier.MapPost("/orders/{orderId:guid}/answers", async (Guid orderId, List<LineAnswerBody> answers, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await (await grains.OrdersOfOrderAsync(orderId)).RespondToLinesAsync(user.Organisation(),
                answers.Select(a => new LineAnswer(a?.RequestId!, orderId, a?.LineNo ?? 0, a?.Confirm ?? false, a?.Reason)).ToList())))
            .RequireRateLimiting(PortalLimits.Orders).WithName("RespondToLines").WithSummary("Confirms or refuses many lines of an order at once (at most Orders:MaxLines), each with its request id; all or none.");
        supplier.MapPost("/orders/{orderId:guid}/shipments", async (Guid orderId, List<LineShipmentBody> shipments, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await (await grains.OrdersOfOrderAsync(orderId)).ShipManyAsync(user.Organisation(),
                shipments.Select(b => new ShipmentRequest(b?.RequestId!, orderId, b?.LineNo ?? 0, b?.Quantity ?? 0, b?.LotNumber!, b?.ExpiryDate ?? default)).ToList())))
            .RequireRateLimiting(PortalLimits.Orders).WithName("ShipLines").WithSummary("Ships many lines of an order at once, each with its lot and expiry; all or none.");
        supplier.MapPost("/orders/{orderId:guid}/invoices", async (Guid orderId, List<DeliveryInvoiceBody> invoices, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await (await grains.OrdersOfOrderAsync(orderId)).InvoiceManyAsync(user.Organisation(),
                invoices.Select(b => new InvoiceRequest(b?.RequestId!, b?.DeliveryId ?? Guid.Empty, b?.InvoiceNumber!)).ToList())))
            .RequireRateLimiting(PortalLimits.Orders).WithName("InvoiceDeliveries").WithSummary("Invoices many deliveries of an order's hospital at once; all or none.");
        var manufacturer = api.MapGroup("").WithTags("Supply").RequireAuthorization(PortalUser.Manufacturer).RequireRateLimiting(PortalLimits.Orders);
        manufacturer.MapGet("/supplier/distributors", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Act().GetGrain<ISupplierGrain>(user.Organisation()).ListDesignationsAsync()))
            .WithName("ListDistributorDesignations");
        manufacturer.MapPut("/supplier/distributors/{regionCode}", async (string regionCode, DesignationBody body, GrainAccess grains, ClaimsPrincipal user) =>
        {
            await grains.Act().GetGrain<ISupplierGrain>(user.Organisation()).DesignateDistributorAsync(regionCode, body.DistributorId);
            return TypedResults.NoContent();
        }).RequireRateLimiting(PortalLimits.Orders).WithName("DesignateDistributor").WithSummary("Designates the distributor that answers, ships and invoices the manufacturer's lines in a region (null takes the region back).");

        var alliance = api.MapGroup("").WithTags("Supply").RequireAuthorization(PortalUser.Alliance).RequireRateLimiting(PortalLimits.Orders);
        alliance.MapGet("/alliance/listed-prices", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Act().GetGrain<IAllianceGrain>(user.Organisation()).GetListedPricesAsync()))
            .WithName("GetListedPrices");
        alliance.MapPut("/alliance/listed-prices", async (List<ListedPrice> prices, GrainAccess grains, ClaimsPrincipal user) =>
        {
            await grains.Act().GetGrain<IAllianceGrain>(user.Organisation()).ListPricesAsync(prices);
            return TypedResults.NoContent();
        }).RequireRateLimiting(PortalLimits.Orders).WithName("ListPrices").WithSummary("Lists prices, product x manufacturer, for purchases outside any agreement.");
        alliance.MapPut("/alliance/payment-term", async (PaymentTermBody body, GrainAccess grains, ClaimsPrincipal user) =>
        {
            await grains.Act().GetGrain<IAllianceGrain>(user.Organisation()).SetPaymentTermAsync(body.Days);
            return TypedResults.NoContent();
        }).RequireRateLimiting(PortalLimits.Orders).WithName("SetPaymentTerm").WithSummary("Days hospitals have to pay after acceptance (30 unless set).");
        alliance.MapGet("/alliance/payment-term", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(new PaymentTermBody(await grains.Act().GetGrain<IAllianceGrain>(user.Organisation()).GetPaymentTermAsync())))
            .WithName("GetPaymentTerm").WithSummary("Days hospitals have to pay after acceptance: the alliance's term, or the default (30 unless configured) while it set none.");
        alliance.MapGet("/alliance/supply-performance", async (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetSupplyPerformanceAsync(user.Organisation(), from, to)))
            .RequireRateLimiting(PortalLimits.Figures).WithName("GetSupplyPerformance").WithSummary("Fill rate, on-time delivery and answer times per supplier x region x product, for lines placed in months from..to (yyyy-MM).");
        alliance.MapGet("/alliance/hospital-purchasing", async (string from, string to, GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetHospitalPurchasingAsync(user.Organisation(), from, to)))
            .RequireRateLimiting(PortalLimits.Figures).WithName("GetHospitalPurchasing").WithSummary("Per hospital party to the alliance (a share of its agreements, a report to its batches, or a purchase under it in the months): on-time payment rate, days payable outstanding, online procurement rate, selected products' share.");
        alliance.MapGet("/alliance/supply-risks", async (GrainAccess grains, ClaimsPrincipal user) =>
            TypedResults.Ok(await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetSupplyRisksAsync(user.Organisation())))
            .RequireRateLimiting(PortalLimits.Figures).WithName("GetSupplyRisks").WithSummary("Suppliers whose fill rate in a region fell below the threshold over the last days, with the agreements a takeover by the spare would move (POST /api/agreements/{id}/supply-failure).");
        // Every report of the batch beside the year's purchases (seconds at national scale): the
        // exports' bucket, not the cheap reads', and a few hundred rows; the files hold 10,000.
        alliance.MapGet("/batches/{batchId}/reporting-mismatches", async (string batchId, int? limit, GrainAccess grains) =>
        {
            await grains.AllianceBatchAsync(batchId);
            if (limit is < 1 or > MaxMismatchesListed)
            {
                throw ProcurementException.Invalid("limit", $"limit must be between 1 and {MaxMismatchesListed}; the files (exports/reporting-mismatches.csv, .xlsx) hold the largest {ReportingMismatches.MaxRows:N0}.");
            }
            return TypedResults.Ok(await grains.Act().GetGrain<IOrderFiguresGrain>(0).GetReportingMismatchesAsync(batchId, limit ?? 100));
        }).RequireRateLimiting(PortalLimits.Exports).WithName("GetReportingMismatches").WithSummary(
            "Hospitals whose reported volume differs from their last twelve months' purchases (platform and declared) by more than the configured share: " +
            $"how many (count) and the largest of them (largest; limit 1-{MaxMismatchesListed}, default 100), largest difference first. Counted against the exports' rate limit.");
        alliance.MapPost("/invoices/{invoiceId:guid}/direct-settlement", async (Guid invoiceId, PaymentBody body, GrainAccess grains) =>
        {
            var orders = await grains.AllianceInvoiceAsync(invoiceId);
            return TypedResults.Ok(await orders.SettleDirectlyAsync(new PaymentRequest(body.RequestId, invoiceId, body.Reference)));
        }).RequireRateLimiting(PortalLimits.Orders).WithName("SettleInvoiceDirectly").WithSummary("The insurance fund pays the supplier directly, drawing the hospital's prepayment ledger first.");
        return api;
    }

    public sealed record PaymentBody(string RequestId, string Reference);

    public sealed record LineResponse(string RequestId, bool Confirm, string? Reason);

    public sealed record ShipmentBody(string RequestId, long Quantity, string LotNumber, DateOnly ExpiryDate);

    public sealed record InvoiceBody(string RequestId, string InvoiceNumber);

    public sealed record LineAnswerBody(string RequestId, int LineNo, bool Confirm, string? Reason);

    public sealed record LineShipmentBody(string RequestId, int LineNo, long Quantity, string LotNumber, DateOnly ExpiryDate);

    public sealed record DeliveryInvoiceBody(string RequestId, Guid DeliveryId, string InvoiceNumber);

    public sealed record DesignationBody(string? DistributorId);

    public sealed record PaymentTermBody(int Days);

    /// <summary>The most reporting mismatches the API lists at once.</summary>
    public const int MaxMismatchesListed = 500;

    /// <summary>The outcome of an order upload: the order, or every bad row.</summary>
    public sealed record OrderUploadResult(bool Accepted, Order? Order, IReadOnlyList<RowError> Errors);

    private static readonly HashSet<string> FileRefusals = [ErrorCodes.Forbidden, ErrorCodes.UploadTooLarge, ErrorCodes.TooManyRows, ErrorCodes.RequestIdReused];

    public static async Task<OrderUploadResult> ImportOrderAsync(GrainAccess grains, string requestId, Stream content, long? length, bool xlsx, UploadLimits limits, CancellationToken cancellationToken)
    {
        await using var body = await UploadParser.BufferAsync(content, length, limits, cancellationToken);
        try
        {
            var (lines, errors) = UploadParser.OrderLines(UploadParser.ReadRows(body, xlsx, limits));
            if (errors.Count > 0)
            {
                return new OrderUploadResult(false, null, errors);
            }
            return new OrderUploadResult(true, await grains.Orders().PlaceOrderAsync(new OrderRequest(requestId, lines)), []);
        }
        catch (ProcurementException ex) when (!FileRefusals.Contains(ex.Code))
        {
            return new OrderUploadResult(false, null, [UploadParser.RowOf(ex)]);
        }
    }

    private static async Task<Results<Ok<OrderUploadResult>, UnprocessableEntity<OrderUploadResult>>> UploadOrderAsync(
        string? requestId, HttpRequest request, GrainAccess grains, IOptions<PortalLimits> limits)
    {
        var result = await ImportOrderAsync(grains, requestId ?? "", request.Body, request.ContentLength, UploadParser.IsXlsx(request.ContentType, null),
            UploadLimits.From(limits.Value), request.HttpContext.RequestAborted);
        return result.Accepted ? TypedResults.Ok(result) : TypedResults.UnprocessableEntity(result);
    }

    private static async Task<Ok<Order>> GetOrderAsync(Guid orderId, GrainAccess grains, ClaimsPrincipal user)
    {
        if (user.Role() == PortalUser.Hospital)
        {
            return TypedResults.Ok(await grains.Orders().GetOrderAsync(orderId));
        }
        if (user.Role() is not (PortalUser.Manufacturer or PortalUser.Distributor))
        {
            throw GrainAccess.Forbidden($"order {orderId}");
        }
        var order = await (await grains.OrdersOfOrderAsync(orderId)).GetOrderAsync(orderId);
        var designations = user.Role() == PortalUser.Distributor ? await grains.DesignationsToAsync(user.Organisation()) : [];
        var lines = order.Lines.Where(l => l.ManufacturerId == user.Organisation() || designations.Contains((l.ManufacturerId, l.RegionCode))).ToList();
        return lines.Count > 0 ? TypedResults.Ok(order with { Lines = lines }) : throw GrainAccess.Forbidden($"order {orderId}");
    }
}
