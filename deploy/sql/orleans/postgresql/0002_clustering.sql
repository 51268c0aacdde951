-- Cluster membership, for silos and for clients' gateway lists (Microsoft.Orleans.Clustering.AdoNet 10.x).
-- DeploymentId is Orleans' ClusterId. Instants are UTC: the provider sends and expects UTC DateTimes.

-- One version row per cluster. Every membership change names the version it read and moves it on
-- by one in the same statement, so of two concurrent writers only one wins (the provider makes the
-- version the table's ETag and re-reads on a refusal). The cap keeps Version + 1 inside INTEGER.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable (
    DeploymentId    VARCHAR(150) NOT NULL PRIMARY KEY,
    ChangedAt       TIMESTAMPTZ  NOT NULL DEFAULT now(),
    Version         INTEGER      NOT NULL DEFAULT 0
);

-- One row per silo incarnation (address, port, generation). Status is Orleans' SiloStatus:
-- 0 None, 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead. ProxyPort is the
-- gateway port (0: none). SuspectTimes holds the votes against the silo as the provider writes
-- them ('address,date|...'); NULL or empty when there are none.
CREATE TABLE IF NOT EXISTS OrleansMembershipTable (
    DeploymentId    VARCHAR(150) NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE,
    Address         VARCHAR(45)  NOT NULL,
    Port            INTEGER      NOT NULL,
    Generation      INTEGER      NOT NULL,
    SiloName        VARCHAR(150) NOT NULL,
    HostName        VARCHAR(150) NOT NULL,
    Status          INTEGER      NOT NULL,
    ProxyPort       INTEGER      NOT NULL,
    SuspectTimes    VARCHAR(8000),
    StartTime       TIMESTAMPTZ  NOT NULL,
    IAmAliveTime    TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- The queries. Reads return one row per member beside the version, and the version row alone when
-- the cluster has no member (the provider takes the version from the first row). Writes that
-- answer "did it happen" return one boolean. IAmAliveTime never moves back.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- (DeploymentId) -> true when this call created the cluster's version row.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

-- (DeploymentId) -> the version and every member.
('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
 WHERE v.DeploymentId = @DeploymentId
$q$),

-- (DeploymentId, Address, Port, Generation) -> the version and that member, if present.
('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m
         ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
 WHERE v.DeploymentId = @DeploymentId
$q$),

-- (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime,
--  IAmAliveTime, Version) -> true when the version was still @Version and the silo is new.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, ChangedAt = now()
     WHERE DeploymentId = @DeploymentId AND Version = @Version AND Version < 2147483647
       AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                        WHERE DeploymentId = @DeploymentId
                          AND Address = @Address AND Port = @Port AND Generation = @Generation)
 RETURNING DeploymentId),
added AS (
    INSERT INTO OrleansMembershipTable
           (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
      FROM bumped
 RETURNING 1)
SELECT EXISTS (SELECT 1 FROM added)
$q$),

-- (DeploymentId, Address, Port, Generation, Status, SuspectTimes, IAmAliveTime, Version)
--  -> true when the version was still @Version and the silo's row was changed.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, ChangedAt = now()
     WHERE DeploymentId = @DeploymentId AND Version = @Version AND Version < 2147483647
       AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                    WHERE DeploymentId = @DeploymentId
                      AND Address = @Address AND Port = @Port AND Generation = @Generation)
 RETURNING DeploymentId),
changed AS (
    UPDATE OrleansMembershipTable m
       SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = GREATEST(m.IAmAliveTime, @IAmAliveTime)
      FROM bumped b
     WHERE m.DeploymentId = b.DeploymentId
       AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
 RETURNING 1)
SELECT EXISTS (SELECT 1 FROM changed)
$q$),

-- (DeploymentId, Address, Port, Generation, IAmAliveTime): the heartbeat; no version change.
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
   SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
 WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
$q$),

-- (DeploymentId, Status = 3 Active) -> Address, ProxyPort, Generation of each gateway (clients).
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
  FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0
$q$),

-- (DeploymentId): forgets the cluster (its members go with the version row).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId
$q$),

-- (DeploymentId, IAmAliveTime = the cut-off): removes Dead silos silent since before the cut-off.
-- Used only when CleanupDefunctSiloEntryKey is absent; it cannot read the dates of votes, so it
-- keeps every row that has any.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Status = 6
   AND StartTime < @IAmAliveTime AND IAmAliveTime < @IAmAliveTime
   AND COALESCE(SuspectTimes, '') = ''
$q$),

-- Optional (the provider uses it when present): it picks the Dead rows past the cut-off itself, then
-- removes each only if it still holds the values it read (DeploymentId, Address, Port, Generation,
-- StartTime, IAmAliveTime, SuspectTimes). The provider sends no SuspectTimes as '' or NULL alike.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
   AND Status = 6 AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
   AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '')
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
