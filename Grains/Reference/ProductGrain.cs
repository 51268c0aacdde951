using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Hosting;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Reference;

public sealed class ProductGrain(
    ReferenceRepository reference,
    [FromKeyedServices(ProcurementClock.Key)] TimeProvider clock) : Grain, IProductGrain
{
    public async Task RegisterAsync(Product product)
    {
        Check.NotNull(product, "product");
        Check.MatchesKey(Check.Id(product.Id, "id"), this.GetPrimaryKeyString(), "id");
        Check.Text(product.Molecule, "molecule", 200);
        Check.OptionalText(product.MoleculeZh, "moleculeZh", 200);
        Check.Text(product.DosageForm, "dosageForm", 100);
        Check.NotNull(product.Representative, "representative");
        Check.NotNull(product.OtherSpecifications, "otherSpecifications");
        var specifications = product.AllSpecifications.ToList();
        Check.Distinct(specifications.Select(s => s?.Code!).ToList(), "specifications.code");
        for (var i = 0; i < specifications.Count; i++)
        {
            var field = i == 0 ? "representative" : $"otherSpecifications[{i - 1}]";
            if (specifications[i].PackCount <= 0)
            {
                throw ProcurementException.Invalid($"{field}.packCount", "packCount must be a positive number of units.");
            }
            if (specifications[i].StrengthMg <= 0)
            {
                throw ProcurementException.Invalid($"{field}.strengthMg", "strengthMg must be positive.");
            }
            Check.Decimals(specifications[i].StrengthMg, 6, $"{field}.strengthMg");
        }
        await reference.SaveProductAsync(product, ProcurementClock.Now(clock), Actor.Current("catalogue"));
    }

    public async Task<Product?> GetAsync()
    {
        var products = await reference.GetProductsAsync([this.GetPrimaryKeyString()]);
        return products.GetValueOrDefault(this.GetPrimaryKeyString());
    }
}
