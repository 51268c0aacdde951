using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Batches.Domain;
using Procurement.Grains.Bidders;
using Procurement.Grains.Hosting;
using Procurement.Grains.Sealing;

namespace Procurement.Grains.Batches;

/// <summary>The sealed bidding of a tender batch: accepting bids sealed, the opening (one key or the officers' shares) and the opened record checked against the sealed rows and the event log.</summary>
public sealed partial class TenderBatchGrain
{
    public async Task<BidReceipt> AcceptBidAsync(BidCommand command)
    {
        // The receipt time is taken first: the deadline applies to when the bid reached the batch.
        var receivedAt = ProcurementClock.Now(clock);
        while (_transition is { } transition)
        {
            await transition;
        }
        if (_batch is { Phase: TenderBatchPhase.Bidding } due && SealedBidding.IsOpeningDue(due.Definition.Windows, receivedAt))
        {
            await OpenIfDueAsync(Actor.Scheduler);
        }
        // From here to the write's start nothing awaits, so no phase change can begin unseen: the
        // opening waits for the writes in _pendingBids before it reads the sealed bids.
        var batch = RequireBatch();
        SealedBidding.RequireAccepting(BatchId, batch.Phase, batch.Definition.Windows, receivedAt);
        var canonical = command.Action == BidAction.Withdrawn
            ? BidCanonicalForm.WithdrawalText(command.ManufacturerId, command.Content.BatchId, command.Content.ProductId, command.BidId)
            : BidCanonicalForm.Text(command.ManufacturerId, SealedBidding.Validate(BatchId, batch.Definition, _products, command.Content));
        var write = bids.RecordAsync(command, Seal(command, canonical), receivedAt);
        _pendingBids.Add(write);
        BidReceipt receipt;
        try
        {
            receipt = await write;
        }
        finally
        {
            _pendingBids.Remove(write);
        }
        _sealedBidCount += SealedBidding.ActiveBidChange(command.Action);
        return receipt;
    }

    public Task<IReadOnlyList<SealedBid>> ListSealedBidsAsync()
    {
        var batch = RequireBatch();
        if (SealedBidding.IsSealed(batch.Phase))
        {
            throw new ProcurementException(
                ErrorCodes.BidsSealed,
                $"Bids of batch {BatchId} are sealed until the opening at {batch.Definition.Windows.OpeningTime:O}; until then nobody sees whether any were made.");
        }
        return bids.ListSealedForBatchAsync(BatchId);
    }

    public async Task<IReadOnlyList<OpenedBid>> GetOpenedBidsAsync()
    {
        var batch = RequireBatch();
        if (SealedBidding.IsSealed(batch.Phase))
        {
            throw new ProcurementException(
                ErrorCodes.BidsSealed,
                $"Bids of batch {BatchId} are sealed until the opening at {batch.Definition.Windows.OpeningTime:O}.");
        }
        var rows = await bids.ListActiveWithContentAsync(BatchId);
        return rows.Select(r =>
        {
            var content = r.Bid.ToContent(r.Regions);
            // A consumables bid's price is per unit or per system already: there is no pack to convert.
            var unitPrice = content.Consumable is not null
                ? content.PricePerPack
                : ComparablePrice.Of(_products[content.ProductId], content.SpecificationCode, content.PricePerPack, batch.Definition.RuleSet.Conversion);
            return new OpenedBid(Guid.Parse(r.Bid.BidId), r.Bid.ManufacturerId, r.Bid.BidderGroup, content, unitPrice, r.Bid.Version, r.Bid.ReceivedAt, r.Bid.ContentSha256, r.Bid.ReceiptNonce ?? "");
        }).ToList();
    }

    private async Task OpenIfDueAsync(string actor)
    {
        while (_transition is { } running)
        {
            await running;
        }
        if (_batch is { Phase: TenderBatchPhase.Bidding } batch
            && SealedBidding.IsOpeningDue(batch.Definition.Windows, ProcurementClock.Now(clock))
            && SealedBidding.CanRelease(batch.Definition.OpeningCommittee, _presentedShares.Count))
        {
            await OpenAsync(actor);
        }
    }

    /// <summary>
    /// Opens the bids: unwraps the batch's opening key, decrypts every sealed action, checks each
    /// against its row (bidder, batch, product, offer number) and its receipt's commitment, and writes the opened
    /// record with the phase change in one transaction. One envelope that does not open or does
    /// not match its commitment stops the opening (<c>SEAL_BROKEN</c>): the record was altered.
    /// </summary>
    private async Task OpenAsync(string actor)
    {
        IReadOnlyList<OpenedAction> opened = [];
        await TransitionAsync(async () =>
        {
            BatchLifecycle.RequireOpens(BatchId, RequireBatch().Phase);
            foreach (var pending in _pendingBids.ToList())
            {
                // A write that failed was refused to its bidder and sealed nothing.
                await ((Task)pending).ContinueWith(static _ => { }, TaskScheduler.Current);
            }
            opened = await UnsealAsync();
            var now = ProcurementClock.Now(clock);
            // The log's head as the bids open fixes every bid action recorded before it; it is published with the opening.
            var head = await audit.HeadAsync();
            await batches.ChangePhaseAsync(BatchId, TenderBatchPhase.Bidding, TenderBatchPhase.Opened, now, actor,
                new
                {
                    ActiveBids = opened.GroupBy(a => a.Action.BidId).Count(g => g.MaxBy(a => a.Action.Version)!.Content is not null),
                    OpenedActions = opened.Count,
                    EventChainHead = head,
                },
                async (connection, transaction) =>
                {
                    await BidRepository.WriteOpenedAsync(connection, transaction, BatchId, opened);
                    await SealingRepository.MarkOpenedAsync(connection, transaction, BatchId, now, head);
                });
            await ReloadAsync();
        });
        var bidCount = opened.Select(a => a.Action.BidId).Distinct().Count();
        foreach (var (_, y) in _presentedShares.Values)
        {
            CryptographicOperations.ZeroMemory(y);
        }
        _presentedShares.Clear();
        _openingKey?.Dispose();
        _openingKey = null;
        _sealedBidCount = await bids.CountOpenedActiveAsync(BatchId);
        _openingChainHead = OpeningHead(await sealing.GetAsync(BatchId));
        logger.LogInformation("Batch {BatchId} opened at {OpenedAt:O} with {Count} active bid(s) ({Actions} sealed actions of {Bids} bids decrypted); event chain head {EventId}:{Hash}.",
            BatchId, _batch!.OpenedAt, _sealedBidCount, opened.Count, bidCount, _openingChainHead?.EventId, _openingChainHead?.Hash);
    }

    private async Task<IReadOnlyList<OpenedAction>> UnsealAsync()
    {
        var actions = await bids.ListSealedActionsAsync(BatchId);
        // The chained event log names every accepted action; the sealed rows must be exactly those.
        SealedBidding.RequireSameActions(await bids.ListRecordedActionsAsync(BatchId), actions.Select(a => (a.BidId, a.Version)));
        if (actions.Count == 0)
        {
            return [];
        }
        var stored = await sealing.GetAsync(BatchId)
            ?? throw new ProcurementException(ErrorCodes.SealBroken, $"Batch {BatchId} has sealed bids but no opening key.");
        if (stored.KekId != kek.Id)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"The receipts and opening key of batch {BatchId} are wrapped under key-encryption key {stored.KekId}; this silo has {kek.Id} (Sealing:KeyFile).");
        }
        byte[] privateKey;
        try
        {
            if (stored.Mode == SealingModes.Officers)
            {
                var secret = Shamir.Combine(_presentedShares.Values.ToList());
                try
                {
                    privateKey = Aead.Open(secret, stored.WrappedPrivateKey, OpeningKey.AssociatedData(BatchId));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(secret);
                }
            }
            else
            {
                privateKey = kek.Unwrap(OpeningKeyPurpose, stored.WrappedPrivateKey, OpeningKey.AssociatedData(BatchId));
            }
        }
        catch (CryptographicException)
        {
            throw new ProcurementException(ErrorCodes.SealBroken, $"The opening key of batch {BatchId} does not unwrap: the stored key was altered.");
        }
        using var key = OpeningKey.ImportPrivate(privateKey);
        CryptographicOperations.ZeroMemory(privateKey);
        var opened = new List<OpenedAction>(actions.Count);
        foreach (var action in actions)
        {
            opened.Add(Unseal(key, action));
        }
        return opened;
    }

    private OpenedAction Unseal(RSA key, SealedAction action)
    {
        var bidId = Guid.Parse(action.BidId);
        string canonical;
        string nonce;
        try
        {
            canonical = BidEnvelope.Open(key, action.Envelope, BidEnvelope.AssociatedData(bidId, action.ManufacturerId, action.ClientRequestId, BatchId));
            nonce = Convert.ToHexStringLower(kek.Unwrap(ReceiptNoncePurpose, action.WrappedNonce, ReceiptNonceData(action.ManufacturerId, action.ClientRequestId)));
        }
        catch (CryptographicException)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {action.Version} of bid {action.BidId} does not decrypt: its stored envelope or nonce was altered or moved.");
        }
        if (BidCanonicalForm.Commitment(nonce, canonical) != action.Commitment)
        {
            throw new ProcurementException(ErrorCodes.SealBroken,
                $"Version {action.Version} of bid {action.BidId} does not match its receipt's commitment.");
        }
        BidContent? content = null;
        if ((BidAction)action.Action == BidAction.Withdrawn)
        {
            if (canonical != BidCanonicalForm.WithdrawalText(action.ManufacturerId, action.BatchId, action.ProductId, bidId))
            {
                throw new ProcurementException(ErrorCodes.SealBroken, $"The withdrawal of bid {action.BidId} does not name that bid.");
            }
        }
        else
        {
            var (manufacturerId, parsed) = BidCanonicalForm.Parse(canonical);
            if (manufacturerId != action.ManufacturerId || parsed.BatchId != BatchId || parsed.ProductId != action.ProductId
                || BidOffers.Of(parsed) != action.OfferNumber)
            {
                throw new ProcurementException(ErrorCodes.SealBroken, $"Version {action.Version} of bid {action.BidId} is sealed for another bidder, batch, product or offer number.");
            }
            content = parsed;
        }
        return new OpenedAction(action, canonical, nonce, content);
    }

    /// <summary>
    /// Wraps the new opening key's private half: under the key-encryption key (automatic), or
    /// under a fresh secret split k of n among the opening officers, each share encrypted to its
    /// officer's public key with RSA-OAEP-SHA256 and then forgotten here.
    /// </summary>
    private (BatchSealing Stored, List<(int Position, byte[] EncryptedShare, string ShareSha256)> Shares) SealOpeningKey(
        OpeningKey key, OpeningCommittee? committee, DateTimeOffset now)
    {
        var stored = new BatchSealing { BatchId = BatchId, PublicKey = key.PublicKey, KekId = kek.Id, CreatedAt = now };
        if (committee is null)
        {
            return (stored with
            {
                Mode = SealingModes.Automatic,
                WrappedPrivateKey = kek.Wrap(OpeningKeyPurpose, key.PrivateKey, OpeningKey.AssociatedData(BatchId)),
            }, []);
        }
        var secret = RandomNumberGenerator.GetBytes(32);
        try
        {
            var shares = new List<(int, byte[], string)>();
            foreach (var (x, y) in Shamir.Split(secret, committee.Officers.Count, committee.Threshold))
            {
                var text = OpeningShareText.Format(BatchId, x, y);
                CryptographicOperations.ZeroMemory(y);
                using var officer = RSA.Create();
                officer.ImportFromPem(committee.Officers[x - 1].PublicKeyPem);
                shares.Add((x, officer.Encrypt(System.Text.Encoding.UTF8.GetBytes(text), RSAEncryptionPadding.OaepSHA256), OpeningShareText.Sha256(text)));
            }
            return (stored with
            {
                Mode = SealingModes.Officers,
                Threshold = committee.Threshold,
                WrappedPrivateKey = Aead.Seal(secret, key.PrivateKey, OpeningKey.AssociatedData(BatchId)),
            }, shares);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public async Task<EncryptedOpeningShare> GetOpeningShareAsync(string userName)
    {
        var batch = RequireBatch();
        var committee = RequireCommittee(batch);
        var share = await sealing.GetShareAsync(BatchId, Check.Id(userName, "userName"));
        if (share is null)
        {
            throw new ProcurementException(ErrorCodes.Forbidden, $"{userName} is not an opening officer of batch {BatchId}.", "userName");
        }
        if (share.EncryptedShare is null)
        {
            throw new ProcurementException(ErrorCodes.BiddingNotOpen, $"The shares of batch {BatchId} are made when bidding opens; it is in {batch.Phase}.");
        }
        return new EncryptedOpeningShare(BatchId, share.UserName, share.Position, committee.Threshold, committee.Officers.Count, Convert.ToBase64String(share.EncryptedShare));
    }

    public async Task<OpeningSharesStatus> PresentOpeningShareAsync(string userName, string share)
    {
        var batch = RequireBatch();
        var committee = RequireCommittee(batch);
        var now = ProcurementClock.Now(clock);
        SealedBidding.RequireSharesTaken(BatchId, batch.Phase, batch.Definition.Windows, now);
        var stored = await sealing.GetShareAsync(BatchId, Check.Id(userName, "userName"))
            ?? throw new ProcurementException(ErrorCodes.Forbidden, $"{userName} is not an opening officer of batch {BatchId}.", "userName");
        var text = Check.Text(share, "share", 1000).Trim();
        if (!OpeningShareText.TryParse(text, out var batchId, out var x, out var y)
            || batchId != BatchId || x != stored.Position || OpeningShareText.Sha256(text) != stored.ShareSha256)
        {
            throw new ProcurementException(ErrorCodes.OpeningShareInvalid,
                $"This is not the opening share made for {userName} in batch {BatchId}: paste the text your private key decrypts from the share you were given.", "share");
        }
        _presentedShares[stored.UserName] = (x, y);
        await sealing.RecordSharePresentedAsync(BatchId, stored.UserName, stored.Position, now, Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        if (_presentedShares.Count >= committee.Threshold)
        {
            await OpenAsync(Actor.Current($"alliance:{batch.Definition.AllianceId}"));
        }
        return SharesStatus(committee);
    }

    public Task<OpeningSharesStatus> GetOpeningSharesStatusAsync() => Task.FromResult(SharesStatus(RequireCommittee(RequireBatch())));

    private OpeningSharesStatus SharesStatus(OpeningCommittee committee) =>
        new(_presentedShares.Count, committee.Threshold, _presentedShares.Keys.Order(StringComparer.Ordinal).ToList(), RequireBatch().Phase);

    private OpeningCommittee RequireCommittee(StoredBatch batch) =>
        batch.Definition.OpeningCommittee
        ?? throw new ProcurementException(ErrorCodes.InvalidField, $"Batch {BatchId} opens automatically at its opening time; it has no opening officers.", "openingCommittee");

    public const string OpeningKeyPurpose = "opening-key";

    public const string ReceiptNoncePurpose = "receipt-nonce";

    public static string ReceiptNonceData(string manufacturerId, string clientRequestId) => $"receipt-nonce/{manufacturerId}/{clientRequestId}";

    /// <summary>
    /// Encrypts a validated bid action under the batch's opening key and commits to it with a fresh
    /// nonce, which goes to the bidder in the receipt and to the store wrapped under the
    /// key-encryption key. Nothing else of the content leaves this method.
    /// </summary>
    private SealedContent Seal(BidCommand command, string canonical)
    {
        var key = _openingKey ?? throw new ProcurementException(ErrorCodes.BiddingNotOpen, $"Batch {BatchId} has no opening key; bidding is not open.");
        var nonce = BidCanonicalForm.NewNonce();
        var envelope = BidEnvelope.Seal(key, canonical, BidEnvelope.AssociatedData(command.BidId, command.ManufacturerId, command.ClientRequestId, BatchId));
        var wrappedNonce = kek.Wrap(ReceiptNoncePurpose, Convert.FromHexString(nonce), ReceiptNonceData(command.ManufacturerId, command.ClientRequestId));
        return new SealedContent(envelope, BidCanonicalForm.Commitment(nonce, canonical), nonce, wrappedNonce);
    }
}
