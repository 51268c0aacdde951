-- Cluster membership, for silos and for clients' gateway lists (Microsoft.Orleans.Clustering.AdoNet 10.x).
-- DeploymentId is Orleans' ClusterId. Instants are UTC, DATETIME2(3): the provider compares the
-- values it read back for equality (CleanupDefunctSiloEntryKey), which DATETIME's rounding breaks.
-- Column types follow the provider's parameters (String: NVARCHAR, AnsiString: VARCHAR), so no
-- predicate converts a column.

-- One version row per cluster. Every membership change names the version it read and moves it on
-- by one in the same transaction, so of two concurrent writers only one wins (the provider makes
-- the version the table's ETag and re-reads on a refusal). The cap keeps Version + 1 inside INT.
IF OBJECT_ID(N'OrleansMembershipVersionTable', N'U') IS NULL
    CREATE TABLE OrleansMembershipVersionTable (
        DeploymentId    NVARCHAR(150) NOT NULL CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY,
        ChangedAt       DATETIME2(3)  NOT NULL CONSTRAINT DF_OrleansMembershipVersionTable_ChangedAt DEFAULT SYSUTCDATETIME(),
        Version         INT           NOT NULL CONSTRAINT DF_OrleansMembershipVersionTable_Version DEFAULT 0
    );

-- One row per silo incarnation (address, port, generation). Status is Orleans' SiloStatus:
-- 0 None, 1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead. ProxyPort is the
-- gateway port (0: none). SuspectTimes holds the votes against the silo as the provider writes
-- them ('address,date|...'); NULL or empty when there are none. Its binary collation makes the
-- equality in CleanupDefunctSiloEntryKey exact.
IF OBJECT_ID(N'OrleansMembershipTable', N'U') IS NULL
    CREATE TABLE OrleansMembershipTable (
        DeploymentId    NVARCHAR(150)  NOT NULL CONSTRAINT FK_OrleansMembershipTable_Version
                        REFERENCES OrleansMembershipVersionTable (DeploymentId) ON DELETE CASCADE,
        Address         VARCHAR(45)    NOT NULL,
        Port            INT            NOT NULL,
        Generation      INT            NOT NULL,
        SiloName        NVARCHAR(150)  NOT NULL,
        HostName        NVARCHAR(150)  NOT NULL,
        Status          INT            NOT NULL,
        ProxyPort       INT            NOT NULL,
        SuspectTimes    NVARCHAR(4000) COLLATE Latin1_General_100_BIN2 NULL,
        StartTime       DATETIME2(3)   NOT NULL,
        IAmAliveTime    DATETIME2(3)   NOT NULL,
        CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation)
    );
GO

-- The queries. Reads return one row per member beside the version, and the version row alone when
-- the cluster has no member (the provider takes the version from the first row). Writes that
-- answer "did it happen" return one BIT and nothing else (the provider reads every result set).
-- IAmAliveTime never moves back.
SET XACT_ABORT ON;
BEGIN TRANSACTION;

DELETE FROM OrleansQuery
 WHERE QueryKey IN ('InsertMembershipVersionKey', 'MembershipReadAllKey', 'MembershipReadRowKey',
                    'InsertMembershipKey', 'UpdateMembershipKey', 'UpdateIAmAlivetimeKey', 'GatewaysQueryKey',
                    'DeleteMembershipTableEntriesKey', 'CleanupDefunctSiloEntriesKey', 'CleanupDefunctSiloEntryKey');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- (DeploymentId) -> 1 when this call created the cluster's version row.
('InsertMembershipVersionKey', N'
SET NOCOUNT ON;
INSERT INTO OrleansMembershipVersionTable (DeploymentId)
SELECT @DeploymentId
 WHERE NOT EXISTS (SELECT 1 FROM OrleansMembershipVersionTable WITH (UPDLOCK, HOLDLOCK)
                    WHERE DeploymentId = @DeploymentId);
SELECT CONVERT(BIT, @@ROWCOUNT);
'),

-- (DeploymentId) -> the version and every member.
('MembershipReadAllKey', N'
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
 WHERE v.DeploymentId = @DeploymentId;
'),

-- (DeploymentId, Address, Port, Generation) -> the version and that member, if present.
('MembershipReadRowKey', N'
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
       m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m
         ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
 WHERE v.DeploymentId = @DeploymentId;
'),

-- (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime,
--  IAmAliveTime, Version) -> 1 when the version was still @Version and the silo is new.
('InsertMembershipKey', N'
SET XACT_ABORT, NOCOUNT ON;
DECLARE @Changed INT;
BEGIN TRANSACTION;
UPDATE OrleansMembershipVersionTable
   SET Version = Version + 1, ChangedAt = SYSUTCDATETIME()
 WHERE DeploymentId = @DeploymentId AND Version = @Version AND Version < 2147483647
   AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                    WHERE DeploymentId = @DeploymentId
                      AND Address = @Address AND Port = @Port AND Generation = @Generation);
SET @Changed = @@ROWCOUNT;
IF @Changed = 1
    INSERT INTO OrleansMembershipTable
           (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime);
COMMIT TRANSACTION;
SELECT CONVERT(BIT, @Changed);
'),

-- (DeploymentId, Address, Port, Generation, Status, SuspectTimes, IAmAliveTime, Version)
--  -> 1 when the version was still @Version and the silo's row was changed.
('UpdateMembershipKey', N'
SET XACT_ABORT, NOCOUNT ON;
DECLARE @Changed INT = 0;
BEGIN TRANSACTION;
UPDATE OrleansMembershipVersionTable
   SET Version = Version + 1, ChangedAt = SYSUTCDATETIME()
 WHERE DeploymentId = @DeploymentId AND Version = @Version AND Version < 2147483647;
IF @@ROWCOUNT = 1
BEGIN
    UPDATE OrleansMembershipTable
       SET Status = @Status, SuspectTimes = @SuspectTimes,
           IAmAliveTime = CASE WHEN IAmAliveTime > @IAmAliveTime THEN IAmAliveTime ELSE @IAmAliveTime END
     WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
    SET @Changed = @@ROWCOUNT;
END;
IF @Changed = 1
    COMMIT TRANSACTION;
ELSE
    ROLLBACK TRANSACTION;
SELECT CONVERT(BIT, @Changed);
'),

-- (DeploymentId, Address, Port, Generation, IAmAliveTime): the heartbeat; no version change.
('UpdateIAmAlivetimeKey', N'
UPDATE OrleansMembershipTable
   SET IAmAliveTime = CASE WHEN IAmAliveTime > @IAmAliveTime THEN IAmAliveTime ELSE @IAmAliveTime END
 WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
'),

-- (DeploymentId, Status = 3 Active) -> Address, ProxyPort, Generation of each gateway (clients).
('GatewaysQueryKey', N'
SELECT Address, ProxyPort, Generation
  FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
'),

-- (DeploymentId): forgets the cluster (its members go with the version row).
('DeleteMembershipTableEntriesKey', N'
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
'),

-- (DeploymentId, IAmAliveTime = the cut-off): removes Dead silos silent since before the cut-off.
-- Used only when CleanupDefunctSiloEntryKey is absent; it cannot read the dates of votes, so it
-- keeps every row that has any.
('CleanupDefunctSiloEntriesKey', N'
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Status = 6
   AND StartTime < @IAmAliveTime AND IAmAliveTime < @IAmAliveTime
   AND COALESCE(SuspectTimes, N'''') = N'''';
'),

-- Optional (the provider uses it when present): it picks the Dead rows past the cut-off itself, then
-- removes each only if it still holds the values it read (DeploymentId, Address, Port, Generation,
-- StartTime, IAmAliveTime, SuspectTimes). The provider sends no SuspectTimes as '' or NULL alike.
('CleanupDefunctSiloEntryKey', N'
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
   AND Status = 6 AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
   AND COALESCE(SuspectTimes, N'''') = COALESCE(@SuspectTimes, N'''');
');

COMMIT TRANSACTION;
GO
