using System.Security.Cryptography;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Hosting;
using Procurement.Optimizer.RuleSets;

namespace Procurement.Grains.Batches.Domain;

/// <summary>
/// What a batch's definition must be before it is stored (a first batch or a renewal): products
/// with positive maximum prices, distinct regions and hospitals, a rule set and parameters the
/// award engine knows, positive conversion factors, windows in order (reporting closes in the
/// future, the bidding deadline after it, the opening not before the deadline), a publicity
/// period of 0 to 60 days, agreements of 1 to 48 months, and a committee of opening officers
/// with usable keys; for a consumables batch, its lots and consumables rule set
/// (<see cref="ConsumableLotRules"/>) and no drug products. That the alliance, regions, products and hospitals exist is the store's check.
/// </summary>
public static class BatchDefinitionRules
{
    public static void Validate(TenderBatchDefinition definition, DateTimeOffset now)
    {
        Check.NotNull(definition, "definition");
        Check.Id(definition.AllianceId, "allianceId");
        Check.Text(definition.Name, "name", 200);
        // A consumables batch is bought by category and lists no drug products (checked below, after its lots).
        var products = definition.Consumables is null ? Check.NonEmpty(definition.Products, "products") : Check.NotNull(definition.Products, "products");
        Check.Distinct(products.Select(p => p?.ProductId!).ToList(), "products.productId");
        for (var i = 0; i < products.Count; i++)
        {
            if (products[i].MaxValidUnitPrice <= 0)
            {
                throw ProcurementException.Invalid($"products[{i}].maxValidUnitPrice", "maxValidUnitPrice must be positive.");
            }
            Check.Decimals(products[i].MaxValidUnitPrice, 6, $"products[{i}].maxValidUnitPrice");
        }
        Check.Distinct(Check.NonEmpty(definition.RegionCodes, "regionCodes"), "regionCodes");
        Check.Distinct(Check.NonEmpty(definition.HospitalIds, "hospitalIds"), "hospitalIds");
        var ruleSet = Check.NotNull(definition.RuleSet, "ruleSet");
        if (!RuleSetCatalog.Names.Contains(ruleSet.Name))
        {
            throw ProcurementException.Invalid("ruleSet.name", $"ruleSet.name must be one of {string.Join(", ", RuleSetCatalog.Names)}, not '{ruleSet.Name}'.");
        }
        ValidateParameters(Check.NotNull(ruleSet.Parameters, "ruleSet.parameters"), ruleSet.Name);
        var conversion = Check.NotNull(ruleSet.Conversion, "ruleSet.conversion");
        if (conversion.PackCountDoublingFactor <= 0 || conversion.StrengthDoublingFactor <= 0)
        {
            throw ProcurementException.Invalid("ruleSet.conversion", "Conversion factors must be positive.");
        }
        var windows = Check.NotNull(definition.Windows, "windows");
        if (windows.ReportingCloses <= now)
        {
            throw ProcurementException.Invalid("windows.reportingCloses", $"windows.reportingCloses must be in the future (it is {now:O}).");
        }
        if (windows.BiddingDeadline <= windows.ReportingCloses)
        {
            throw ProcurementException.Invalid("windows.biddingDeadline", "windows.biddingDeadline must be after windows.reportingCloses.");
        }
        if (windows.OpeningTime < windows.BiddingDeadline)
        {
            throw ProcurementException.Invalid("windows.openingTime", "windows.openingTime must not be before windows.biddingDeadline.");
        }
        if (windows.PublicityDays is < 0 or > 60)
        {
            throw ProcurementException.Invalid("windows.publicityDays", "windows.publicityDays must be from 0 to 60.");
        }
        if (definition.AgreementMonths is < 1 or > 48)
        {
            throw ProcurementException.Invalid("agreementMonths", "agreementMonths must be from 1 to 48.");
        }
        if (definition.OpeningCommittee is { } committee)
        {
            ValidateCommittee(committee);
        }
        if (definition.Consumables is { } consumables)
        {
            ConsumableLotRules.Validate(consumables);
            RequireNoDrugProducts(definition.Products);
        }
    }

    /// <summary>
    /// A consumables batch lists no drug products: its award (the consumables engine) awards
    /// categories only, so a drug product beside them would be left unawarded
    /// (docs/CONSUMABLES.md, "One kind per batch"). Drugs are bought in a batch of their own.
    /// </summary>
    private static void RequireNoDrugProducts(IReadOnlyList<BatchProduct> products)
    {
        if (products.Count > 0)
        {
            throw ProcurementException.Invalid("products",
                $"A consumables batch lists no drug products (its award awards categories only); put {string.Join(", ", products.Select(p => p.ProductId))} in a drug batch of their own.");
        }
    }

    /// <summary>
    /// Every key is one of the registry's (award and volume-reporting keys alike) with a valid value,
    /// so nothing the award or the reporting terms would refuse or ignore is ever stored.
    /// </summary>
    private static void ValidateParameters(IReadOnlyDictionary<string, string> parameters, string ruleSetName)
    {
        try
        {
            foreach (var key in parameters.Keys)
            {
                if (RuleSetCatalog.Parameter(key).FromConversion)
                {
                    throw new RuleParameterException(key, "is set through ruleSet.conversion, not ruleSet.parameters.");
                }
            }
            RuleSetCatalog.Resolve(ruleSetName, parameters);
        }
        catch (RuleParameterException ex)
        {
            throw ProcurementException.Invalid($"ruleSet.parameters.{ex.Parameter}", ex.Message);
        }
    }

    public const int MaxOpeningOfficers = 15;

    private static void ValidateCommittee(OpeningCommittee committee)
    {
        var officers = Check.NonEmpty(committee.Officers, "openingCommittee.officers");
        if (officers.Count > MaxOpeningOfficers)
        {
            throw ProcurementException.Invalid("openingCommittee.officers", $"A batch has at most {MaxOpeningOfficers} opening officers.");
        }
        for (var i = 0; i < officers.Count; i++)
        {
            var field = $"openingCommittee.officers[{i}]";
            var officer = Check.NotNull(officers[i], field);
            Check.Id(officer.UserName, $"{field}.userName");
            var pem = Check.Text(officer.PublicKeyPem, $"{field}.publicKeyPem", 10_000);
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                if (rsa.KeySize < 2048)
                {
                    throw ProcurementException.Invalid($"{field}.publicKeyPem", $"The officer's RSA key has {rsa.KeySize} bits; at least 2,048 are needed.");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                throw ProcurementException.Invalid($"{field}.publicKeyPem", "publicKeyPem must be an RSA public key in PEM (-----BEGIN PUBLIC KEY-----).");
            }
        }
        Check.Distinct(officers.Select(o => o.UserName).ToList(), "openingCommittee.officers.userName");
        if (committee.Threshold < 1 || committee.Threshold > officers.Count)
        {
            throw ProcurementException.Invalid("openingCommittee.threshold", $"threshold must be from 1 to the number of officers ({officers.Count}).");
        }
    }
}
