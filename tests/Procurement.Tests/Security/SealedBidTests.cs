using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Procurement.Contracts.Domain;
using Procurement.Contracts.Errors;
using Procurement.Contracts.Grains;
using Procurement.Grains.Storage;
using Procurement.Optimizer.Award;
using Procurement.Tests.Infrastructure;
using Xunit;
using Procurement.Grains.Awards;

namespace Procurement.Tests.Security;

/// <summary>
/// The sealed bid as an attacker sees it: a reader of every table (a DBA, a backup), of the SQLite
/// files and of the logs, the alliance through the grains, a cluster client calling the award
/// worker. Before the opening none of them may learn a price, a capacity, a hash of the content or
/// how many bids there are; at the opening every bid decrypts and every receipt verifies.
/// </summary>
public abstract class SealedBidTests(ClusterFixture fixture)
{
    private Scenario NewScenario() => new(fixture.Cluster.Client, fixture.Clock);

    private ProcurementStore Store => fixture.Cluster.Database;

    /// <summary>
    /// Whether <paramref name="needle"/> occurs in <paramref name="bytes"/> other than inside a run of
    /// 32 or more hex or Base64 characters (a hash or ciphertext stored as text, where a short run of
    /// digits turns up by chance); a 64-character needle (a hash) counts wherever it occurs.
    /// </summary>
    private static bool HoldsOutsideOpaqueRuns(byte[] bytes, byte[] needle)
    {
        static bool Opaque(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'+' or (byte)'/' or (byte)'=' or (byte)'-' or (byte)'_';
        var from = 0;
        while (from <= bytes.Length - needle.Length)
        {
            var at = bytes.AsSpan(from).IndexOf(needle);
            if (at < 0)
            {
                return false;
            }
            at += from;
            var start = at;
            while (start > 0 && Opaque(bytes[start - 1]))
            {
                start--;
            }
            var end = at + needle.Length;
            while (end < bytes.Length && Opaque(bytes[end]))
            {
                end++;
            }
            if (needle.Length == 64 || end - start < 32)
            {
                return true;
            }
            from = at + 1;
        }
        return false;
    }

    [Fact]
    public async Task After_bids_are_in_no_table_file_or_log_line_holds_a_price_or_a_hash_that_brute_force_can_match()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var first = s.Bid(s.Atorvastatin, 1.7777m, capacity: 4_242_421);
        var receipt = await s.Bidder(s.Maker1).SubmitBidAsync("p1", first);
        var amended = s.Bid(s.Atorvastatin, 1.6666m, capacity: 4_242_421, regions: [s.RegionA]);
        await s.Bidder(s.Maker1).AmendBidAsync("p1-amend", receipt.BidId, amended);
        var second = s.Bid(s.Atorvastatin, 2.3131m, spec: "20mgx14", capacity: 3_131_313);
        await s.Bidder(s.Maker2).SubmitBidAsync("p2", second);
        // A refused price must not reach a log line either.
        await Refused.WithAsync(ErrorCodes.PriceAboveMaximum, () => s.Bidder(s.Maker3).SubmitBidAsync("p3", s.Bid(s.Atorvastatin, 3.9876m)), "pricePerPack");

        var contents = new[] { (s.Maker1, first), (s.Maker1, amended), (s.Maker2, second) };
        var needles = new List<string> { "1.7777", "17777", "1.6666", "16666", "2.3131", "23131", "3.9876", "39876", "4242421", "3131313" };
        foreach (var (maker, content) in contents)
        {
            var text = BidCanonicalForm.Text(maker, content);
            needles.Add(text);
            needles.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        }

        var stored = await ReadEveryValueAsync();
        // A binary value is also read as hex, for a hash stored raw; only a hash is looked for there,
        // as a short run of digits turns up in the hex of random ciphertext by chance.
        var hexOfBinary = await ReadEveryValueAsync(binaryAsHex: true);
        foreach (var needle in needles.Where(n => n.Length == 64))
        {
            Assert.DoesNotContain(hexOfBinary, v => v.Contains(needle, StringComparison.OrdinalIgnoreCase));
        }
        // A stored hash or ciphertext as text (hex or Base64, 32 characters or more, nothing else) is
        // looked at for hashes only, for the same reason: "17777" turns up in a random hex hash now and then.
        static bool Opaque(string value) => value.Length >= 32 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_');
        foreach (var needle in needles)
        {
            var candidates = needle.Length == 64 ? stored : stored.Where(v => !Opaque(v));
            Assert.False(candidates.Any(v => SealedValues.Holds(v, needle)), $"A stored value holds '{needle}': {candidates.FirstOrDefault(v => SealedValues.Holds(v, needle))}");
        }
        foreach (var line in fixture.Cluster.Logs.Lines)
        {
            Assert.False(needles.Any(n => SealedValues.Holds(line, n)), $"A log line holds a sealed value: {line}");
        }
        if (Store.Dialect is SqliteDialect sqlite)
        {
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(sqlite.Location)!))
            {
                var bytes = File.ReadAllBytes(file);
                var latin1 = Encoding.Latin1.GetString(bytes);
                foreach (var needle in needles)
                {
                    Assert.False(SealedValues.Number(needle) ? SealedValues.Holds(latin1, needle) : HoldsOutsideOpaqueRuns(bytes, Encoding.UTF8.GetBytes(needle)), $"{Path.GetFileName(file)} holds '{needle}'.");
                }
            }
        }

        // Brute force over the whole price space of the product (4 decimals up to its maximum of
        // 3.50 a pack) with everything else known: no stored value matches an unsalted hash.
        var hashes = stored.Concat(hexOfBinary).Where(v => v.Length == 64).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.NotEmpty(hashes);
        for (var tenThousandths = 1; tenThousandths <= 35_000; tenThousandths++)
        {
            var guess = amended with { PricePerPack = tenThousandths / 10_000m };
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(BidCanonicalForm.Text(s.Maker1, guess))));
            Assert.DoesNotContain(hash, hashes);
        }
    }

    [Fact]
    public async Task Before_the_opening_nobody_but_the_bidder_sees_a_bid_its_hash_or_how_many_there_are()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var receipt = await s.Bidder(s.Maker1).SubmitBidAsync("a", s.Bid(s.Atorvastatin, 1.50m));
        await s.Bidder(s.Maker2).SubmitBidAsync("b", s.Bid(s.Atorvastatin, 1.60m));

        await Refused.WithAsync(ErrorCodes.BidsSealed, () => s.Batch.ListSealedBidsAsync());
        await Refused.WithAsync(ErrorCodes.BidsSealed, () => s.Batch.GetOpenedBidsAsync());
        Assert.Null((await s.Batch.GetAsync()).SealedBidCount);
        var own = Assert.Single(await s.Bidder(s.Maker1).ListBidsAsync(), b => b.BatchId == s.BatchId);
        Assert.Equal(receipt.ContentSha256, own.ContentSha256);
        Assert.DoesNotContain(await s.Bidder(s.Maker3).ListBidsAsync(), b => b.BatchId == s.BatchId);

        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.DoesNotContain(events, e => e.Payload.Contains(receipt.ContentSha256, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_award_worker_refuses_to_read_bids_before_the_opening_whoever_calls_it()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        await s.Bidder(s.Maker1).SubmitBidAsync("a", s.Bid(s.Atorvastatin, 1.50m));
        var budgets = new Dictionary<string, decimal>();
        // A gateway client is refused at the door (the award worker is cluster-internal); called from
        // inside the cluster, the worker checks the phase itself.
        await Refused.WithAsync(ErrorCodes.ClusterInternal,
            () => fixture.Cluster.Client.GetGrain<IAwardWorkerGrain>(0).CompareAsync(s.BatchId, new AwardComparisonRequest([AwardModes.CostOptimal], null, budgets, 5)));
        var worker = fixture.Cluster.SiloGrainFactory.GetGrain<IAwardWorkerGrain>(0);

        await Refused.WithAsync(ErrorCodes.BidsSealed, () => worker.CompareAsync(s.BatchId, new AwardComparisonRequest([AwardModes.CostOptimal], null, budgets, 5)));
        await Refused.WithAsync(ErrorCodes.BidsSealed, () => worker.RunAsync(s.BatchId, new AwardRequest(AwardModes.CostOptimal, budgets, 5), "attacker"));

        var view = await s.Batch.GetAsync();
        Assert.Equal(TenderBatchPhase.Bidding, view.Phase);
        Assert.Null(view.AwardStatus);
    }

    [Fact]
    public async Task At_the_opening_every_bid_decrypts_every_receipt_verifies_and_a_bid_at_the_deadline_is_in()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        Assert.Equal(s.Windows.BiddingDeadline, s.Windows.OpeningTime);
        var receipts = new List<BidReceipt>();
        var submitted = s.Bid(s.Atorvastatin, 1.2345m, capacity: 800_000);
        receipts.Add(await s.Bidder(s.Maker1).SubmitBidAsync("m1", submitted));
        var amendedContent = s.Bid(s.Atorvastatin, 1.1111m, capacity: 900_000, regions: [s.RegionB]);
        receipts.Add(await s.Bidder(s.Maker1).AmendBidAsync("m1-a", receipts[0].BidId, amendedContent));
        var withdrawnFirst = await s.Bidder(s.Maker2).SubmitBidAsync("m2", s.Bid(s.Amlodipine, 2.80m));
        receipts.Add(withdrawnFirst);
        receipts.Add(await s.Bidder(s.Maker2).WithdrawBidAsync("m2-w", withdrawnFirst.BidId));

        // Exactly at the deadline, which is also the opening time: on time, and in the opening.
        fixture.Clock.SetUtcNow(s.Windows.BiddingDeadline);
        var atDeadline = s.Bid(s.Atorvastatin, 2.0202m, spec: "20mgx14", capacity: 700_000);
        var lastReceipt = await s.Bidder(s.Maker2).SubmitBidAsync("m2-at-t", atDeadline);
        receipts.Add(lastReceipt);
        Assert.Equal(s.Windows.BiddingDeadline, lastReceipt.ReceivedAt);
        await Refused.WithAsync(ErrorCodes.OpeningNotDue, () => s.Batch.OpenBidsAsync());
        Assert.Equal(TenderBatchPhase.Bidding, (await s.Batch.GetAsync()).Phase);

        fixture.Clock.SetUtcNow(s.Windows.BiddingDeadline.AddMilliseconds(1));
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => s.Bidder(s.Maker3).SubmitBidAsync("late", s.Bid(s.Atorvastatin, 1.00m)));
        var view = await s.Batch.GetAsync();
        Assert.Equal(TenderBatchPhase.Opened, view.Phase);
        Assert.Equal(2, view.SealedBidCount);

        // The opening publishes the event log's head, which covers every bid action before it and verifies.
        var head = Assert.IsType<ChainHead>(view.OpeningChainHead);
        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.All(events.Where(e => e.EventType.StartsWith("Bid", StringComparison.Ordinal)), e => Assert.True(e.EventId <= head.EventId));
        var opening = events.Single(e => e.EventType == "PhaseChangedToOpened");
        Assert.True(opening.EventId > head.EventId);
        Assert.Contains(head.Hash, opening.Payload, StringComparison.Ordinal);
        var storedHash = await Store.ReadAsync(c => c.ExecuteScalarAsync<string>("SELECT chain_hash FROM events WHERE event_id = @EventId", new { head.EventId }));
        Assert.Equal(head.Hash, storedHash);

        var opened = await s.Batch.GetOpenedBidsAsync();
        Assert.Equal(2, opened.Count);
        var mine = opened.Single(b => b.ManufacturerId == s.Maker1);
        AssertSameContent(amendedContent, mine.Content);
        Assert.Equal(receipts[1].ContentSha256, mine.ContentSha256);
        var theirs = opened.Single(b => b.ManufacturerId == s.Maker2);
        AssertSameContent(atDeadline, theirs.Content);
        foreach (var bid in opened)
        {
            Assert.Equal(bid.ContentSha256, BidCanonicalForm.Commitment(bid.ReceiptNonce, BidCanonicalForm.Text(bid.ManufacturerId, bid.Content)));
        }

        // Every receipt, of every version and of the withdrawal, is checked by anyone against the published record.
        var published = (await Store.ReadAsync(c => c.QueryAsync<(string ManufacturerId, string ClientRequestId, string CanonicalContent, string ContentSha256, string ReceiptNonce)>(
            "SELECT manufacturer_id, client_request_id, canonical_content, content_sha256, receipt_nonce FROM bid_actions WHERE batch_id = @BatchId",
            new { s.BatchId }))).ToDictionary(r => (r.ManufacturerId, r.ClientRequestId));
        Assert.Equal(receipts.Count, published.Count);
        foreach (var receipt in receipts)
        {
            var row = published[(receipt.ManufacturerId, receipt.ClientRequestId)];
            Assert.Equal(receipt.Nonce, row.ReceiptNonce);
            Assert.Equal(receipt.ContentSha256, row.ContentSha256);
            Assert.Equal(receipt.ContentSha256, BidCanonicalForm.Commitment(row.ReceiptNonce, row.CanonicalContent));
        }
        Assert.Equal(BidCanonicalForm.Text(s.Maker1, submitted), published[(s.Maker1, "m1")].CanonicalContent);
    }

    [Fact]
    public async Task The_award_from_the_opened_bids_equals_the_award_computed_from_the_plaintext()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var plaintext = new Dictionary<string, (string Maker, BidContent Content)>();
        async Task SubmitAsync(string maker, string request, BidContent content) =>
            plaintext[(await s.Bidder(maker).SubmitBidAsync(request, content)).BidId.ToString()] = (maker, content);
        await SubmitAsync(s.Maker1, "a1", s.Bid(s.Atorvastatin, 2.80m, capacity: 2_000_000));
        await SubmitAsync(s.Maker2, "a2", s.Bid(s.Atorvastatin, 5.4321m, spec: "20mgx14", capacity: 900_000, regions: [s.RegionB]));
        await SubmitAsync(s.Maker1, "b1", s.Bid(s.Amlodipine, 2.80m));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await s.Batch.OpenBidsAsync();

        // What the award reads is what was sealed, field for field.
        var request = new AwardRequest(AwardModes.RankedPick, new Dictionary<string, decimal>(), 5);
        var awards = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<AwardInputReader>(fixture.Cluster.SiloServices);
        var input = await awards.LoadInputAsync(s.BatchId, request);
        Assert.Equal(plaintext.Keys.Order(), input.Bids.Select(b => b.BidId).Order());
        var fromPlaintext = input with
        {
            Bids = input.Bids.Select(b =>
            {
                var (maker, content) = plaintext[b.BidId];
                Assert.Equal((maker, content.SpecificationCode, content.PricePerPack, content.AnnualCapacity), (b.ManufacturerId, b.SpecificationCode, b.PricePerPack, b.AnnualCapacity));
                Assert.Equal(content.SupplyRegions.Order(StringComparer.Ordinal), b.SupplyRegions.Order(StringComparer.Ordinal));
                return b with { SpecificationCode = content.SpecificationCode, PricePerPack = content.PricePerPack, AnnualCapacity = content.AnnualCapacity, SupplyRegions = content.SupplyRegions };
            }).ToList(),
        };

        await s.Batch.RunAwardAsync(request);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while ((await s.Batch.GetAsync()).Phase != TenderBatchPhase.Publicity && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }
        var stored = Assert.IsType<AwardView>(await s.Batch.GetAwardAsync());
        var expected = new AwardEngine(new Procurement.Optimizer.Allocation.SolveOptions(TimeSpan.FromSeconds(5), 1)).Run(fromPlaintext, AwardModes.RankedPick);
        Assert.Equal(
            expected.Products.SelectMany(p => p.Statements).Select(x => (x.BidId, x.Won, x.Reason, x.AwardedUnitPrice)).Order(),
            stored.Statements.Select(x => (x.BidId.ToString(), x.Won, x.Reason, x.AwardedUnitPrice)).Order());
        Assert.Equal(
            expected.Products.SelectMany(p => p.Allocations).Select(a => (a.ProductId, a.RegionCode, a.PrimaryBidId, a.AgreedVolume, a.Amount)).Order(),
            stored.Allocations.Select(a => (a.ProductId, a.RegionCode, a.PrimaryBidId.ToString(), a.AgreedVolume, a.Amount)).Order());
    }

    [Fact]
    public async Task An_envelope_moved_or_a_commitment_altered_in_the_database_stops_the_opening()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        var a = await s.Bidder(s.Maker1).SubmitBidAsync("a", s.Bid(s.Atorvastatin, 1.50m));
        var b = await s.Bidder(s.Maker2).SubmitBidAsync("b", s.Bid(s.Atorvastatin, 1.40m));
        const string envelopeOf = "SELECT envelope FROM sealed_bid_actions WHERE bid_id = @BidId";
        var envelopeA = await Store.ReadAsync(c => c.ExecuteScalarAsync<byte[]>(envelopeOf, new { BidId = a.BidId.ToString() }));
        var envelopeB = await Store.ReadAsync(c => c.ExecuteScalarAsync<byte[]>(envelopeOf, new { BidId = b.BidId.ToString() }));
        const string setEnvelope = "UPDATE sealed_bid_actions SET envelope = @Envelope WHERE bid_id = @BidId";

        // A DBA gives bidder A bidder B's lower price.
        await Store.WriteAsync(async (c, t) => await c.ExecuteAsync(setEnvelope, new { Envelope = envelopeB, BidId = a.BidId.ToString() }, t));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await Refused.WithAsync(ErrorCodes.SealBroken, () => s.Batch.OpenBidsAsync());
        Assert.Equal(TenderBatchPhase.Bidding, (await s.Batch.GetAsync()).Phase);
        Assert.Equal(0, await Store.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM bids WHERE batch_id = @BatchId", new { s.BatchId })));

        // Put back, but the commitment of B changed: refused again.
        await Store.WriteAsync(async (c, t) => await c.ExecuteAsync(setEnvelope, new { Envelope = envelopeA, BidId = a.BidId.ToString() }, t));
        const string setCommitment = "UPDATE sealed_bid_actions SET commitment = @Commitment WHERE bid_id = @BidId";
        await Store.WriteAsync(async (c, t) => await c.ExecuteAsync(setCommitment, new { Commitment = new string('0', 64), BidId = b.BidId.ToString() }, t));
        await Refused.WithAsync(ErrorCodes.SealBroken, () => s.Batch.OpenBidsAsync());

        await Store.WriteAsync(async (c, t) => await c.ExecuteAsync(setCommitment, new { Commitment = b.ContentSha256, BidId = b.BidId.ToString() }, t));
        Assert.Equal(TenderBatchPhase.Opened, (await s.Batch.OpenBidsAsync()).Phase);
        Assert.Equal([1.40m, 1.50m], (await s.Batch.GetOpenedBidsAsync()).Select(x => x.Content.PricePerPack).Order());
    }

    [Fact]
    public async Task A_sealed_bid_deleted_in_the_database_stops_the_opening_because_the_event_log_names_it()
    {
        var s = NewScenario();
        await s.OpenBiddingAsync();
        await s.Bidder(s.Maker1).SubmitBidAsync("a", s.Bid(s.Atorvastatin, 1.50m));
        var rival = await s.Bidder(s.Maker2).SubmitBidAsync("b", s.Bid(s.Atorvastatin, 1.40m));

        // A DBA makes the cheaper rival's bid vanish.
        await Store.WriteAsync(async (c, t) =>
        {
            await c.ExecuteAsync("DELETE FROM sealed_bid_actions WHERE bid_id = @BidId", new { BidId = rival.BidId.ToString() }, t);
            await c.ExecuteAsync("DELETE FROM sealed_bids WHERE bid_id = @BidId", new { BidId = rival.BidId.ToString() }, t);
        });
        fixture.Clock.SetUtcNow(s.OpeningDue);
        var refusal = await Refused.WithAsync(ErrorCodes.SealBroken, () => s.Batch.OpenBidsAsync());
        Assert.Contains(rival.BidId.ToString(), refusal.Message, StringComparison.Ordinal);
        Assert.Equal(TenderBatchPhase.Bidding, (await s.Batch.GetAsync()).Phase);
    }

    [Fact]
    public async Task The_key_ring_is_encrypted_at_rest_and_an_older_plain_key_is_encrypted_when_read()
    {
        var ring = fixture.Cluster.Client.GetGrain<IKeyRingGrain>($"ring-{Guid.NewGuid():N}");
        const string secret = "<key id=\"k1\"><masterKey>c2VjcmV0LWtleS1tYXRlcmlhbA==</masterKey></key>";
        await ring.StoreAsync("k1", secret);
        Assert.Equal([secret], await ring.GetAllAsync());
        var stored = await ReadEveryValueAsync();
        Assert.DoesNotContain(stored, v => v.Contains("c2VjcmV0LWtleS1tYXRlcmlhbA", StringComparison.Ordinal));

        var legacyRing = $"ring-{Guid.NewGuid():N}";
        const string legacy = "<key id=\"k0\"><masterKey>b2xkLXBsYWluLWtleQ==</masterKey></key>";
        await Store.WriteAsync(async (c, t) => await c.ExecuteAsync(
            "INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@Name, @Xml, @At)",
            new { Name = $"{legacyRing}/k0", Xml = legacy, At = fixture.Clock.GetUtcNow() }, t));
        Assert.Equal([legacy], await fixture.Cluster.Client.GetGrain<IKeyRingGrain>(legacyRing).GetAllAsync());
        Assert.DoesNotContain(await ReadEveryValueAsync(), v => v.Contains("b2xkLXBsYWluLWtleQ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Opening_officers_open_the_bids_k_of_n_and_fewer_shares_or_the_database_with_the_silos_key_open_nothing()
    {
        var s = NewScenario();
        var keys = Enumerable.Range(0, 3).Select(_ => RSA.Create(2048)).ToList();
        var names = Enumerable.Range(1, 3).Select(i => $"officer{i}-{s.Tag}").ToList();
        var committee = new OpeningCommittee(names.Select((n, i) => new OpeningOfficer(n, keys[i].ExportSubjectPublicKeyInfoPem())).ToList(), 2);
        await s.OpenBiddingAsync(committee);
        Assert.Equal(2, (await s.Batch.GetAsync()).Definition!.OpeningCommittee!.Threshold);
        await s.Bidder(s.Maker1).SubmitBidAsync("a", s.Bid(s.Atorvastatin, 1.50m));
        var b = await s.Bidder(s.Maker2).SubmitBidAsync("b", s.Bid(s.Atorvastatin, 1.40m));

        // Each officer fetches its share, encrypted to its own key, and decrypts it alone.
        var shares = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var encrypted = await s.Batch.GetOpeningShareAsync(names[i]);
            Assert.Equal((i + 1, 2, 3), (encrypted.Index, encrypted.Threshold, encrypted.Officers));
            shares.Add(Encoding.UTF8.GetString(keys[i].Decrypt(Convert.FromBase64String(encrypted.EncryptedShareBase64), RSAEncryptionPadding.OaepSHA256)));
        }
        await Refused.WithAsync(ErrorCodes.Forbidden, () => s.Batch.GetOpeningShareAsync($"intruder-{s.Tag}"), "userName");

        // The database and the silos' key-encryption key together do not give the opening key, and no share is stored readable.
        var wrapped = await Store.ReadAsync(c => c.ExecuteScalarAsync<byte[]>("SELECT wrapped_private_key FROM batch_sealing WHERE batch_id = @BatchId", new { s.BatchId }));
        var kek = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Procurement.Grains.Sealing.KeyEncryptionKey>(fixture.Cluster.SiloServices);
        Assert.ThrowsAny<CryptographicException>(() => kek.Unwrap("opening-key", wrapped!, $"opening-key/{s.BatchId}"));
        var stored = await ReadEveryValueAsync();
        Assert.DoesNotContain(stored, v => shares.Any(share => v.Contains(share.Split(':')[2], StringComparison.Ordinal)));

        // Before the opening no share is taken; at the opening time nothing opens without the officers.
        await Refused.WithAsync(ErrorCodes.OpeningNotDue, () => s.Batch.PresentOpeningShareAsync(names[0], shares[0]));
        fixture.Clock.SetUtcNow(s.OpeningDue);
        await Refused.WithAsync(ErrorCodes.OpeningSharesRequired, () => s.Batch.OpenBidsAsync());
        await Refused.WithAsync(ErrorCodes.DeadlinePassed, () => s.Bidder(s.Maker3).SubmitBidAsync("late", s.Bid(s.Atorvastatin, 1.00m)));
        Assert.Equal(TenderBatchPhase.Bidding, (await s.Batch.GetAsync()).Phase);

        // Another officer's share, or an altered one, is refused by name.
        await Refused.WithAsync(ErrorCodes.OpeningShareInvalid, () => s.Batch.PresentOpeningShareAsync(names[1], shares[0]), "share");
        var parts = shares[0].Split(':', 4);
        var flipped = $"{parts[0]}:{parts[1]}:{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}:{parts[3]}";
        await Refused.WithAsync(ErrorCodes.OpeningShareInvalid, () => s.Batch.PresentOpeningShareAsync(names[0], flipped), "share");

        // k - 1 = 1 share opens nothing.
        var status = await s.Batch.PresentOpeningShareAsync(names[0], shares[0]);
        Assert.Equal((1, TenderBatchPhase.Bidding), (status.Presented, status.Phase));
        await Refused.WithAsync(ErrorCodes.BidsSealed, () => s.Batch.GetOpenedBidsAsync());
        await Refused.WithAsync(ErrorCodes.OpeningSharesRequired, () => s.Batch.OpenBidsAsync());

        // The second share opens the batch; every bid decrypts and verifies.
        status = await s.Batch.PresentOpeningShareAsync(names[2], shares[2]);
        Assert.Equal(TenderBatchPhase.Opened, status.Phase);
        var opened = await s.Batch.GetOpenedBidsAsync();
        Assert.Equal([1.40m, 1.50m], opened.Select(x => x.Content.PricePerPack).Order());
        Assert.All(opened, x => Assert.Equal(x.ContentSha256, BidCanonicalForm.Commitment(x.ReceiptNonce, BidCanonicalForm.Text(x.ManufacturerId, x.Content))));
        Assert.Equal(b.ContentSha256, opened.Single(x => x.BidId == b.BidId).ContentSha256);

        var events = await Store.ReadAsync(c => EventLog.ForBatchAsync(c, s.BatchId));
        Assert.Equal(2, events.Count(e => e.EventType == "OpeningSharePresented"));
        Assert.DoesNotContain(events, e => shares.Any(share => e.Payload.Contains(share.Split(':')[2], StringComparison.Ordinal)));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public async Task An_opening_committee_is_checked_when_the_batch_is_configured()
    {
        var s = NewScenario();
        await s.RegisterAsync();
        using var weak = RSA.Create(1024);
        using var good = RSA.Create(2048);
        OpeningCommittee Committee(string pem, int threshold) => new([new OpeningOfficer($"o1-{s.Tag}", pem), new OpeningOfficer($"o2-{s.Tag}", good.ExportSubjectPublicKeyInfoPem())], threshold);

        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.ConfigureAsync(s.Definition() with { OpeningCommittee = Committee("not a key", 1) }), "openingCommittee.officers[0].publicKeyPem");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.ConfigureAsync(s.Definition() with { OpeningCommittee = Committee(weak.ExportSubjectPublicKeyInfoPem(), 1) }), "openingCommittee.officers[0].publicKeyPem");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.ConfigureAsync(s.Definition() with { OpeningCommittee = Committee(good.ExportSubjectPublicKeyInfoPem(), 3) }), "openingCommittee.threshold");
        await Refused.WithAsync(ErrorCodes.InvalidField, () => s.Batch.ConfigureAsync(s.Definition() with { OpeningCommittee = Committee(good.ExportSubjectPublicKeyInfoPem(), 0) }), "openingCommittee.threshold");
        await Refused.WithAsync(ErrorCodes.NotConfigured, () => s.Batch.GetAsync());
    }

    private static void AssertSameContent(BidContent expected, BidContent actual)
    {
        Assert.Equal(expected.PricePerPack, actual.PricePerPack);
        Assert.Equal(expected.AnnualCapacity, actual.AnnualCapacity);
        Assert.Equal(expected.SpecificationCode, actual.SpecificationCode);
        Assert.Equal(expected.SupplyRegions.Order(StringComparer.Ordinal), actual.SupplyRegions.Order(StringComparer.Ordinal));
    }

    /// <summary>Every value of every table, as text: binary values as their bytes read as Latin-1, or only binary values, as hex.</summary>
    private Task<List<string>> ReadEveryValueAsync(bool binaryAsHex = false) =>
        Store.ReadAsync(async connection =>
        {
            var tables = Store.Dialect is SqliteDialect
                ? await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")
                : await connection.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
            var values = new List<string>();
            foreach (var table in tables)
            {
                foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM \"{table}\""))
                {
                    foreach (var value in row.Values)
                    {
                        switch (value)
                        {
                            case null:
                                break;
                            case byte[] bytes:
                                values.Add(binaryAsHex ? Convert.ToHexStringLower(bytes) : Encoding.Latin1.GetString(bytes));
                                break;
                            case var _ when binaryAsHex:
                                break;
                            case IFormattable formattable:
                                values.Add(formattable.ToString(null, CultureInfo.InvariantCulture));
                                break;
                            default:
                                values.Add(value.ToString() ?? "");
                                break;
                        }
                    }
                }
            }
            return values;
        });
}

public sealed class SqliteSealedBidTests(SqliteClusterFixture fixture) : SealedBidTests(fixture), IClassFixture<SqliteClusterFixture>
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_data_folder_and_its_files_are_readable_by_the_owner_only()
    {
        var location = ((SqliteDialect)fixture.Cluster.Database.Dialect).Location;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(location)!));
        var files = Directory.GetFiles(Path.GetDirectoryName(location)!);
        Assert.Contains(location, files);
        Assert.Contains(location + "-wal", files);
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }
}

public sealed class PostgresSealedBidTests(PostgresClusterFixture fixture) : SealedBidTests(fixture), IClassFixture<PostgresClusterFixture>;
