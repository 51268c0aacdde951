using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Storage;

namespace Procurement.Grains.Batches;

/// <summary>
/// A consumables batch's rows (migration 0021): its rule set, lots and system components, written
/// with the batch's definition in its transaction, and the hospitals' brand intentions with their
/// further choices. An intention is written after confirming, under a lock on the batch row, that
/// reporting is still open, as volume reports are.
/// </summary>
public sealed class ConsumableBatchRepository(ProcurementStore store)
{
    private const string DeleteComponentsSql = "DELETE FROM consumable_lot_components WHERE batch_id = @BatchId";

    private const string DeleteLotsSql = "DELETE FROM consumable_lots WHERE batch_id = @BatchId";

    private const string DeleteTermsSql = "DELETE FROM consumable_batches WHERE batch_id = @BatchId";

    private const string InsertTermsSql = """
        INSERT INTO consumable_batches (batch_id, rule_set_name, rule_set_parameters) VALUES (@BatchId, @RuleSetName, @RuleSetParameters)
        """;

    private const string InsertLotSql = """
        INSERT INTO consumable_lots (batch_id, category_id, position, name, class_prefix, max_valid_price_e6, purchase_unit)
        VALUES (@BatchId, @CategoryId, @Position, @Name, @ClassPrefix, @MaxValidPriceE6, @PurchaseUnit)
        """;

    private const string InsertComponentSql = """
        INSERT INTO consumable_lot_components (batch_id, category_id, component_id, position, name, max_valid_price_e6)
        VALUES (@BatchId, @CategoryId, @ComponentId, @Position, @Name, @MaxValidPriceE6)
        """;

    /// <summary>
    /// Replaces the consumables rows of a Draft batch by <paramref name="terms"/> (none for a drug
    /// batch), in the definition's transaction; the definition's event records them.
    /// </summary>
    public static async Task SaveTermsAsync(WriteContext unit, string batchId, ConsumableTerms? terms)
    {
        var (connection, transaction) = unit;
        await connection.ExecuteAsync(DeleteComponentsSql, new { BatchId = batchId }, transaction);
        await connection.ExecuteAsync(DeleteLotsSql, new { BatchId = batchId }, transaction);
        await connection.ExecuteAsync(DeleteTermsSql, new { BatchId = batchId }, transaction);
        if (terms is null)
        {
            return;
        }
        await connection.ExecuteAsync(InsertTermsSql, new
        {
            BatchId = batchId,
            RuleSetName = terms.RuleSetName,
            RuleSetParameters = JsonSerializer.Serialize(terms.Parameters),
        }, transaction);
        await connection.ExecuteAsync(InsertLotSql, terms.Categories.Select((c, i) => new
        {
            BatchId = batchId,
            c.CategoryId,
            Position = i + 1,
            c.Name,
            c.ClassPrefix,
            MaxValidPriceE6 = Scaled.ToE6(c.MaxValidPrice, $"consumables.categories[{i}].maxValidPrice"),
            PurchaseUnit = c.PurchaseUnit.ToString(),
        }), transaction);
        await connection.ExecuteAsync(InsertComponentSql, terms.Categories.SelectMany((c, i) => (c.Components ?? []).Select((m, j) => new
        {
            BatchId = batchId,
            c.CategoryId,
            m.ComponentId,
            Position = j + 1,
            m.Name,
            MaxValidPriceE6 = m.MaxValidPrice is { } price ? Scaled.ToE6(price, $"consumables.categories[{i}].components[{j}].maxValidPrice") : (long?)null,
        })), transaction);
    }

    private const string SelectTermsSql = "SELECT rule_set_name AS RuleSetName, rule_set_parameters AS RuleSetParameters FROM consumable_batches WHERE batch_id = @BatchId";

    private const string SelectLotsSql = """
        SELECT category_id AS CategoryId, name AS Name, class_prefix AS ClassPrefix, max_valid_price_e6 AS MaxValidPriceE6, purchase_unit AS PurchaseUnit
          FROM consumable_lots
         WHERE batch_id = @BatchId
         ORDER BY position
        """;

    private const string SelectComponentsSql = """
        SELECT category_id AS CategoryId, component_id AS ComponentId, name AS Name, max_valid_price_e6 AS MaxValidPriceE6
          FROM consumable_lot_components
         WHERE batch_id = @BatchId
         ORDER BY category_id, position
        """;

    /// <summary>The batch's consumables terms, or null for a drug batch.</summary>
    public static async Task<ConsumableTerms?> LoadTermsAsync(DbConnection connection, string batchId)
    {
        var terms = await connection.QuerySingleOrDefaultAsync<TermsRow>(SelectTermsSql, new { BatchId = batchId });
        if (terms is null)
        {
            return null;
        }
        var components = (await connection.QueryAsync<ComponentRow>(SelectComponentsSql, new { BatchId = batchId }))
            .GroupBy(c => c.CategoryId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => new ConsumableLotComponent(c.ComponentId, c.Name, c.MaxValidPriceE6 is { } p ? Scaled.FromE6(p) : null)).ToList(), StringComparer.Ordinal);
        var lots = (await connection.QueryAsync<LotRow>(SelectLotsSql, new { BatchId = batchId }))
            .Select(l => new ConsumableLot(
                l.CategoryId, l.Name, l.ClassPrefix, Scaled.FromE6(l.MaxValidPriceE6), Enum.Parse<ConsumablePurchaseUnit>(l.PurchaseUnit),
                components.GetValueOrDefault(l.CategoryId) ?? []))
            .ToList();
        return new ConsumableTerms(lots, terms.RuleSetName, JsonSerializer.Deserialize<Dictionary<string, string>>(terms.RuleSetParameters) ?? []);
    }

    private const string SelectRevisionsSql = """
        SELECT category_id AS CategoryId, revision AS Revision FROM consumable_intentions WHERE batch_id = @BatchId AND hospital_id = @HospitalId
        """;

    private const string InsertIntentionSql = """
        INSERT INTO consumable_intentions (batch_id, hospital_id, category_id, manufacturer_id, certificate_number, model, consumable_code,
                                           annual_quantity, below_history_reason, revision, reported_at)
        VALUES (@BatchId, @HospitalId, @CategoryId, @ManufacturerId, @CertificateNumber, @Model, @ConsumableCode,
                @AnnualQuantity, @BelowHistoryReason, @Revision, @ReportedAt)
        """;

    private const string UpdateIntentionSql = """
        UPDATE consumable_intentions
           SET manufacturer_id = @ManufacturerId, certificate_number = @CertificateNumber, model = @Model, consumable_code = @ConsumableCode,
               annual_quantity = @AnnualQuantity, below_history_reason = @BelowHistoryReason, revision = @Revision, reported_at = @ReportedAt
         WHERE batch_id = @BatchId AND hospital_id = @HospitalId AND category_id = @CategoryId AND revision = @Revision - 1
        """;

    private const string DeleteChoicesSql = """
        DELETE FROM consumable_intention_choices WHERE batch_id = @BatchId AND hospital_id = @HospitalId AND category_id = @CategoryId
        """;

    private const string InsertChoiceSql = """
        INSERT INTO consumable_intention_choices (batch_id, hospital_id, category_id, position, manufacturer_id)
        VALUES (@BatchId, @HospitalId, @CategoryId, @Position, @ManufacturerId)
        """;

    /// <summary>
    /// Writes a hospital's intentions in one transaction with their event, after confirming under a
    /// lock on the batch row that reporting is open and that every firm named is a registered
    /// manufacturer. The current revisions are read in the transaction; should two writers ever
    /// race, the insert (primary key) or the update (expected revision) refuses. Each intention's
    /// revision is kept beside it, with the actor (<see cref="ConsumableIntentionRevisionStore"/>).
    /// </summary>
    public Task<IReadOnlyList<ConsumableIntention>> SaveIntentionsAsync(
        string batchId, string hospitalId, IReadOnlyList<ConsumableIntentionLine> lines, DateTimeOffset at, string actor) =>
        store.WriteAsync<IReadOnlyList<ConsumableIntention>>(async unit =>
        {
            var (connection, transaction) = unit;
            var phase = await connection.ExecuteScalarAsync<object?>(store.Dialect.Statements.SelectPhaseForShare, new { BatchId = batchId }, transaction);
            if (phase is null || Convert.ToInt32(phase, CultureInfo.InvariantCulture) != (int)TenderBatchPhase.VolumeReporting)
            {
                throw new ProcurementException(ErrorCodes.ReportingClosed, $"Volume reporting for batch {batchId} is not open.", "batchId");
            }
            await CheckManufacturersAsync(connection, transaction, lines);
            var revisions = (await connection.QueryAsync<RevisionRow>(SelectRevisionsSql, new { BatchId = batchId, HospitalId = hospitalId }, transaction))
                .ToDictionary(r => r.CategoryId, r => r.Revision, StringComparer.Ordinal);
            var saved = new List<ConsumableIntention>(lines.Count);
            foreach (var line in lines)
            {
                var intention = new ConsumableIntention(
                    batchId, hospitalId, line.CategoryId, line.ManufacturerId, line.CertificateNumber, line.Model, line.ConsumableCode,
                    line.AnnualQuantity, line.FurtherChoices ?? [], line.BelowHistoryReason, revisions.GetValueOrDefault(line.CategoryId) + 1, at);
                var row = new
                {
                    intention.BatchId,
                    intention.HospitalId,
                    intention.CategoryId,
                    intention.ManufacturerId,
                    intention.CertificateNumber,
                    intention.Model,
                    intention.ConsumableCode,
                    intention.AnnualQuantity,
                    intention.BelowHistoryReason,
                    intention.Revision,
                    ReportedAt = at,
                };
                if (intention.Revision == 1)
                {
                    await connection.ExecuteAsync(InsertIntentionSql, row, transaction);
                }
                else
                {
                    if (await connection.ExecuteAsync(UpdateIntentionSql, row, transaction) != 1)
                    {
                        throw new ProcurementException(
                            ErrorCodes.ConcurrentChange, $"The intentions of hospital {hospitalId} changed while this revision was written; send it again.", "lines");
                    }
                    await connection.ExecuteAsync(DeleteChoicesSql, new { BatchId = batchId, HospitalId = hospitalId, intention.CategoryId }, transaction);
                }
                await connection.ExecuteAsync(InsertChoiceSql, intention.FurtherChoices.Select((m, i) => new
                {
                    BatchId = batchId,
                    HospitalId = hospitalId,
                    intention.CategoryId,
                    Position = i + 1,
                    ManufacturerId = m,
                }), transaction);
                await ConsumableIntentionRevisionStore.AppendAsync(connection, transaction, intention, actor);
                saved.Add(intention);
            }
            await EventLog.AppendAsync(unit, at, actor, batchId, "hospital", hospitalId, "ConsumableIntentionsReported", lines);
            return saved;
        });

    private async Task CheckManufacturersAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ConsumableIntentionLine> lines)
    {
        var named = lines.SelectMany(l => (l.FurtherChoices ?? []).Prepend(l.ManufacturerId)).Distinct(StringComparer.Ordinal).ToList();
        var known = (await connection.QueryAsync<string>(store.Dialect.Statements.SelectKnownManufacturers, new { Ids = named }, transaction)).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            if (!known.Contains(lines[i].ManufacturerId))
            {
                throw new ProcurementException(ErrorCodes.UnknownReference, $"Manufacturer '{lines[i].ManufacturerId}' is not registered.", $"lines[{i}].manufacturerId");
            }
            var choices = lines[i].FurtherChoices ?? [];
            for (var j = 0; j < choices.Count; j++)
            {
                if (!known.Contains(choices[j]))
                {
                    throw new ProcurementException(ErrorCodes.UnknownReference, $"Manufacturer '{choices[j]}' is not registered.", $"lines[{i}].furtherChoices[{j}]");
                }
            }
        }
    }

    private const string SelectIntentionsSql = """
        SELECT batch_id AS BatchId, hospital_id AS HospitalId, category_id AS CategoryId, manufacturer_id AS ManufacturerId,
               certificate_number AS CertificateNumber, model AS Model, consumable_code AS ConsumableCode, annual_quantity AS AnnualQuantity,
               below_history_reason AS BelowHistoryReason, revision AS Revision, reported_at AS ReportedAt
          FROM consumable_intentions
         WHERE batch_id = @BatchId
        """;

    private const string SelectChoicesSql = """
        SELECT hospital_id AS HospitalId, category_id AS CategoryId, manufacturer_id AS ManufacturerId
          FROM consumable_intention_choices
         WHERE batch_id = @BatchId
        """;

    private const string OfHospitalSql = " AND hospital_id = @HospitalId";

    private const string IntentionsOrderSql = " ORDER BY category_id, hospital_id";

    private const string ChoicesOrderSql = " ORDER BY hospital_id, category_id, position";

    private const string SelectBatchIntentionsSql = SelectIntentionsSql + IntentionsOrderSql;

    private const string SelectHospitalIntentionsSql = SelectIntentionsSql + OfHospitalSql + IntentionsOrderSql;

    private const string SelectBatchChoicesSql = SelectChoicesSql + ChoicesOrderSql;

    private const string SelectHospitalChoicesSql = SelectChoicesSql + OfHospitalSql + ChoicesOrderSql;

    /// <summary>The current intentions of a batch, of one hospital or (null) of all, by category and hospital.</summary>
    public Task<IReadOnlyList<ConsumableIntention>> GetIntentionsAsync(string batchId, string? hospitalId) =>
        store.ReadAsync<IReadOnlyList<ConsumableIntention>>(async connection =>
        {
            var parameters = new { BatchId = batchId, HospitalId = hospitalId };
            var choices = (await connection.QueryAsync<ChoiceRow>(hospitalId is null ? SelectBatchChoicesSql : SelectHospitalChoicesSql, parameters))
                .GroupBy(c => (c.HospitalId, c.CategoryId))
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(c => c.ManufacturerId).ToList());
            return (await connection.QueryAsync<IntentionRow>(hospitalId is null ? SelectBatchIntentionsSql : SelectHospitalIntentionsSql, parameters))
                .Select(r => new ConsumableIntention(
                    r.BatchId, r.HospitalId, r.CategoryId, r.ManufacturerId, r.CertificateNumber, r.Model, r.ConsumableCode, r.AnnualQuantity,
                    choices.GetValueOrDefault((r.HospitalId, r.CategoryId)) ?? [], r.BelowHistoryReason, r.Revision, r.ReportedAt))
                .ToList();
        });

    // One row per category and firm, however many intentions: the totals of a batch too large to read whole.
    private const string SelectFirmTotalsSql = """
        SELECT category_id AS CategoryId, manufacturer_id AS ManufacturerId,
               CAST(SUM(annual_quantity) AS BIGINT) AS Quantity, COUNT(*) AS Hospitals
          FROM consumable_intentions
         WHERE batch_id = @BatchId
         GROUP BY category_id, manufacturer_id
        """;

    /// <summary>Per category and intended firm, the intended quantity and the hospitals that named the firm, summed by the database.</summary>
    public Task<IReadOnlyList<ConsumableDemandTotals.FirmTotal>> GetFirmTotalsAsync(string batchId) =>
        store.ReadAsync<IReadOnlyList<ConsumableDemandTotals.FirmTotal>>(async connection =>
            (await connection.QueryAsync<FirmTotalRow>(SelectFirmTotalsSql, new { BatchId = batchId }))
                .Select(r => new ConsumableDemandTotals.FirmTotal(r.CategoryId, r.ManufacturerId, r.Quantity, (int)r.Hospitals))
                .ToList());

    private const string OfCategorySql = " AND category_id = @CategoryId";

    // The keyset: the rows after the last one read, in the order of IntentionsOrderSql; spelt without row values, which SQL Server lacks.
    private const string AfterKeySql = " AND (category_id > @AfterCategory OR (category_id = @AfterCategory AND hospital_id > @AfterHospital))";

    private const string SelectPageSql = SelectIntentionsSql + IntentionsOrderSql;

    private const string SelectPageAfterSql = SelectIntentionsSql + AfterKeySql + IntentionsOrderSql;

    private const string SelectCategoryPageSql = SelectIntentionsSql + OfCategorySql + IntentionsOrderSql;

    private const string SelectCategoryPageAfterSql = SelectIntentionsSql + OfCategorySql + AfterKeySql + IntentionsOrderSql;

    private const string CountIntentionsSql = "SELECT COUNT(*) FROM consumable_intentions WHERE batch_id = @BatchId";

    private const string CountCategoryIntentionsSql = CountIntentionsSql + OfCategorySql;

    // The page's choices by the range of its keys rather than a list of them: no list parameter, which PostgreSQL's driver would pass as an array.
    private const string SelectPageChoicesSql = SelectChoicesSql + """

           AND (category_id > @FromCategory OR (category_id = @FromCategory AND hospital_id >= @FromHospital))
           AND (category_id < @ToCategory OR (category_id = @ToCategory AND hospital_id <= @ToHospital))
        """ + ChoicesOrderSql;

    /// <summary>
    /// At most <paramref name="take"/> intentions of a batch (of one category, or all) after
    /// <paramref name="after"/>, by category and hospital, with their further choices, and how many
    /// intentions the read covers in all. The rows are read no further than <paramref name="take"/>
    /// (portable: no LIMIT or TOP), from the index on batch and category.
    /// </summary>
    public Task<(IReadOnlyList<ConsumableIntention> Intentions, long Total)> GetIntentionsPageAsync(
        string batchId, string? categoryId, (string CategoryId, string HospitalId)? after, int take) =>
        store.ReadAsync<(IReadOnlyList<ConsumableIntention>, long)>(async connection =>
        {
            var parameters = new { BatchId = batchId, CategoryId = categoryId, AfterCategory = after?.CategoryId, AfterHospital = after?.HospitalId };
            var sql = (categoryId, after) switch
            {
                (null, null) => SelectPageSql,
                (null, _) => SelectPageAfterSql,
                (_, null) => SelectCategoryPageSql,
                _ => SelectCategoryPageAfterSql,
            };
            var rows = new List<IntentionRow>(take);
            await foreach (var row in connection.QueryUnbufferedAsync<IntentionRow>(sql, parameters))
            {
                rows.Add(row);
                if (rows.Count >= take)
                {
                    break;
                }
            }
            var total = await connection.ExecuteScalarAsync<long>(categoryId is null ? CountIntentionsSql : CountCategoryIntentionsSql, parameters);
            if (rows.Count == 0)
            {
                return ([], total);
            }
            var choices = (await connection.QueryAsync<ChoiceRow>(SelectPageChoicesSql, new
                {
                    BatchId = batchId,
                    FromCategory = rows[0].CategoryId,
                    FromHospital = rows[0].HospitalId,
                    ToCategory = rows[^1].CategoryId,
                    ToHospital = rows[^1].HospitalId,
                }))
                .GroupBy(c => (c.HospitalId, c.CategoryId))
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(c => c.ManufacturerId).ToList());
            return (rows.Select(r => new ConsumableIntention(
                    r.BatchId, r.HospitalId, r.CategoryId, r.ManufacturerId, r.CertificateNumber, r.Model, r.ConsumableCode, r.AnnualQuantity,
                    choices.GetValueOrDefault((r.HospitalId, r.CategoryId)) ?? [], r.BelowHistoryReason, r.Revision, r.ReportedAt))
                .ToList(), total);
        });

    private sealed record TermsRow
    {
        public string RuleSetName { get; init; } = "";

        public string RuleSetParameters { get; init; } = "{}";
    }

    private sealed record LotRow
    {
        public string CategoryId { get; init; } = "";

        public string Name { get; init; } = "";

        public string? ClassPrefix { get; init; }

        public long MaxValidPriceE6 { get; init; }

        public string PurchaseUnit { get; init; } = "";
    }

    private sealed record ComponentRow
    {
        public string CategoryId { get; init; } = "";

        public string ComponentId { get; init; } = "";

        public string Name { get; init; } = "";

        public long? MaxValidPriceE6 { get; init; }
    }

    private sealed record RevisionRow
    {
        public string CategoryId { get; init; } = "";

        public int Revision { get; init; }
    }

    private sealed record ChoiceRow
    {
        public string HospitalId { get; init; } = "";

        public string CategoryId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";
    }

    private sealed record FirmTotalRow
    {
        public string CategoryId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public long Quantity { get; init; }

        public long Hospitals { get; init; }
    }

    private sealed record IntentionRow
    {
        public string BatchId { get; init; } = "";

        public string HospitalId { get; init; } = "";

        public string CategoryId { get; init; } = "";

        public string ManufacturerId { get; init; } = "";

        public string? CertificateNumber { get; init; }

        public string? Model { get; init; }

        public string? ConsumableCode { get; init; }

        public long AnnualQuantity { get; init; }

        public string? BelowHistoryReason { get; init; }

        public int Revision { get; init; }

        public DateTimeOffset ReportedAt { get; init; }
    }
}
