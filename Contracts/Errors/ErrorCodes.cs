namespace Procurement.Contracts.Errors;

/// <summary>Stable error codes. Never rename one: clients and stored events depend on them.</summary>
public static class ErrorCodes
{
    public const string RequiredField = "FIELD_REQUIRED";
    public const string InvalidField = "FIELD_INVALID";
    public const string NotFound = "NOT_FOUND";
    public const string InvalidTransition = "INVALID_STATE_TRANSITION";
    public const string NotConfigured = "BATCH_NOT_CONFIGURED";
    public const string ReportingClosed = "REPORTING_NOT_OPEN";
    public const string NotParticipating = "HOSPITAL_NOT_PARTICIPATING";
    public const string UnknownProduct = "PRODUCT_NOT_IN_BATCH";
    public const string BelowHistoryNeedsReason = "BELOW_HISTORY_REASON_REQUIRED";
    public const string BiddingNotOpen = "BIDDING_NOT_OPEN";
    public const string DeadlinePassed = "BID_DEADLINE_PASSED";
    public const string PriceAboveMaximum = "PRICE_ABOVE_MAXIMUM";
    public const string NotQualified = "QUALIFICATION_NOT_DECLARED";
    public const string BidAlreadyExists = "BID_ALREADY_EXISTS";
    public const string BidNotFound = "BID_NOT_FOUND";
    public const string BidWithdrawn = "BID_WITHDRAWN";
    public const string RequestIdReused = "REQUEST_ID_REUSED";
    public const string BidsSealed = "BIDS_SEALED";

    /// <summary>A sealed bid or opening key does not decrypt or does not match its commitment: the stored record was altered.</summary>
    public const string SealBroken = "SEAL_BROKEN";

    /// <summary>The batch is opened by its officers and fewer than the threshold have presented their shares.</summary>
    public const string OpeningSharesRequired = "OPENING_SHARES_REQUIRED";

    /// <summary>A presented opening share is not the one made for that officer.</summary>
    public const string OpeningShareInvalid = "OPENING_SHARE_INVALID";
    public const string OpeningNotDue = "OPENING_NOT_DUE";
    public const string UnknownReference = "UNKNOWN_REFERENCE";
    public const string StoreFailure = "STORE_FAILURE";

    /// <summary>A grain call failed for a reason that is no refusal (a database error, a fault); see <see cref="InternalErrorException"/>.</summary>
    public const string InternalError = "INTERNAL_ERROR";
    public const string ConcurrentChange = "CONCURRENT_CHANGE";
    public const string AwardRunning = "AWARD_RUNNING";
    public const string AwardFailed = "AWARD_FAILED";
    public const string NotInPublicity = "NOT_IN_PUBLICITY";
    public const string ObjectionsUnanswered = "OBJECTIONS_UNANSWERED";
    public const string PublicityNotOver = "PUBLICITY_NOT_OVER";
    public const string ObjectionNotFound = "OBJECTION_NOT_FOUND";
    public const string AgreementNotFound = "AGREEMENT_NOT_FOUND";
    public const string NoSpareSupplier = "NO_SPARE_SUPPLIER";
    public const string NotExpiring = "BATCH_NOT_EXPIRING";
    public const string FutureMonth = "USAGE_MONTH_IN_FUTURE";
    public const string NoAgreementForProduct = "USAGE_PRODUCT_NOT_AGREED";
    public const string UnknownManufacturer = "MANUFACTURER_UNKNOWN";
    public const string DuplicateLine = "USAGE_LINE_REPEATED";
    public const string MalformedFile = "FILE_MALFORMED";
    public const string AccountExists = "ACCOUNT_EXISTS";
    public const string SignInFailed = "SIGN_IN_FAILED";
    public const string AccountLocked = "ACCOUNT_LOCKED";
    public const string Forbidden = "FORBIDDEN";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string RateLimited = "RATE_LIMITED";
    public const string AntiforgeryFailed = "ANTIFORGERY_FAILED";
    public const string ClusterUnavailable = "CLUSTER_UNAVAILABLE";
    public const string ClusterInternal = "CLUSTER_INTERNAL";
    public const string ClientNotAuthenticated = "CLUSTER_CLIENT_NOT_AUTHENTICATED";
    public const string CsrfRejected = "CSRF_REJECTED";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string UploadTooLarge = "UPLOAD_TOO_LARGE";

    /// <summary>A JSON request body over the portal's limit (<c>Portal:MaxJsonBodyBytes</c>); uploads have <see cref="UploadTooLarge"/>.</summary>
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";
    public const string TooManyRows = "TOO_MANY_ROWS";

    /// <summary>A CSV file whose bytes are not text in the encoding it was read in: not UTF-8 past a UTF-8 start (docs/PORTAL.md, "CSV encodings").</summary>
    public const string FileEncoding = "FILE_ENCODING";

    /// <summary>A page size (<c>limit</c>) not a whole number from 1 to the read's maximum.</summary>
    public const string PageLimitOutOfRange = "PAGE_LIMIT_OUT_OF_RANGE";

    /// <summary>A paging cursor (<c>after</c>) that is not one the read gave out, or one of another category's pages.</summary>
    public const string PageCursorInvalid = "PAGE_CURSOR_INVALID";

    /// <summary>A read asked for whole whose size is over its bound; it must be read in pages.</summary>
    public const string PageRequired = "PAGE_REQUIRED";
    public const string SignInDelayed = "SIGN_IN_DELAYED";
    public const string ObjectionAlreadyOpen = "OBJECTION_ALREADY_OPEN";
    public const string ProductNotOrderable = "ORDER_PRODUCT_NOT_ORDERABLE";
    public const string PriceNotListed = "ORDER_PRICE_NOT_LISTED";
    public const string SubstituteReasonRequired = "ORDER_SUBSTITUTE_REASON_REQUIRED";
    public const string ManufacturerRequired = "ORDER_MANUFACTURER_REQUIRED";

    /// <summary>An order line names a component its consumables agreement's product system does not have.</summary>
    public const string ComponentNotInSystem = "ORDER_COMPONENT_NOT_IN_SYSTEM";

    /// <summary>An order line names a component of something that is not a product system (a drug, or a consumable bought per unit).</summary>
    public const string ComponentNotOnSystem = "ORDER_COMPONENT_NOT_A_SYSTEM";
    public const string OrderNotFound = "ORDER_NOT_FOUND";
    public const string DeliveryNotFound = "DELIVERY_NOT_FOUND";
    public const string InvoiceNotFound = "INVOICE_NOT_FOUND";
    public const string ResponseWindowClosed = "ORDER_RESPONSE_WINDOW_CLOSED";
    public const string AcceptanceWindowClosed = "DELIVERY_ACCEPTANCE_WINDOW_CLOSED";
    public const string DeliveryAboveOrdered = "DELIVERY_ABOVE_ORDERED";

    /// <summary>A line already has <see cref="Domain.OrderLine.MaxDeliveries"/> deliveries: ship what is left at once.</summary>
    public const string TooManyDeliveries = "TOO_MANY_DELIVERIES";
    public const string InvoiceNotPayable = "INVOICE_NOT_PAYABLE";
    public const string AlreadyInvoiced = "DELIVERY_ALREADY_INVOICED";
    public const string NotDesignated = "SUPPLIER_NOT_DESIGNATED";
    public const string LedgerUnavailable = "PREPAYMENT_LEDGER_UNAVAILABLE";

    /// <summary>A national medical-insurance consumables code that is not 27 characters long.</summary>
    public const string ConsumableCodeLength = "CONSUMABLE_CODE_LENGTH";

    /// <summary>A consumables code whose characters are not 'C' and 26 digits; the field names the part.</summary>
    public const string ConsumableCodeMalformed = "CONSUMABLE_CODE_MALFORMED";

    /// <summary>A consumables code whose first-level category (C01, C02, …) is not one.</summary>
    public const string ConsumableCodeCategory = "CONSUMABLE_CODE_CATEGORY";

    /// <summary>A code (or an old code of a transcoding) that a file of the code master data holds twice.</summary>
    public const string ConsumableCodeRepeated = "CONSUMABLE_CODE_REPEATED";

    /// <summary>A brand intention names a category the consumables batch does not have (or the batch is no consumables batch).</summary>
    public const string ConsumableCategoryNotInBatch = "CONSUMABLE_CATEGORY_NOT_IN_BATCH";

    /// <summary>A product's consumables code is not in the class (code prefix) of its category.</summary>
    public const string ConsumableClassMismatch = "CONSUMABLE_CLASS_MISMATCH";

    /// <summary>
    /// A brand intention's product half named: a certificate without a model or a model without a
    /// certificate (the field is the one missing), or a consumables code without the product it codes.
    /// </summary>
    public const string ConsumableProductIncomplete = "CONSUMABLE_PRODUCT_INCOMPLETE";

    /// <summary>A drug bid (no consumable part) on a consumables category, or a consumables bid on a drug product.</summary>
    public const string BidKindMismatch = "BID_KIND_MISMATCH";

    /// <summary>A system bid that leaves a component of its lot unpriced, prices one twice or one the lot does not have; component prices on a unit category.</summary>
    public const string ComponentsNotPriced = "COMPONENTS_NOT_PRICED";

    /// <summary>An award mode the batch's kind has not: a drug mode on a consumables batch, a consumables mode on a drug batch, a comparison of a consumables batch.</summary>
    public const string AwardModeNotForBatch = "AWARD_MODE_NOT_FOR_BATCH";

    /// <summary>Region budgets on a consumables batch's award: allocation by choice is bound by the hospitals' choices and the winners' capacity, not by a budget.</summary>
    public const string AwardBudgetNotForBatch = "AWARD_BUDGET_NOT_FOR_BATCH";

    /// <summary>
    /// In a renewal of a consumables batch, a volume below the previous year's agreed volume: a
    /// hospital's intention below its part of the continued agreements of the category, or a
    /// category's volume in a region below the continued agreements' there.
    /// </summary>
    public const string RenewalVolumeBelowPrevious = "RENEWAL_VOLUME_BELOW_PREVIOUS";
}
