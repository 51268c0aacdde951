-- Reminders (Microsoft.Orleans.Reminders.AdoNet 10.x), partitioned by Orleans' ServiceId.
-- GrainHash is the grain's uniform hash as a signed INT (the provider sends the unsigned hash
-- reinterpreted as int, and so compares ranges in signed order). Period is in milliseconds.
-- Version is the row's ETag: 0 when created, one more at each update; a removal must name it.
-- GrainId is VARCHAR: the provider sends it as AnsiString.
IF OBJECT_ID(N'OrleansRemindersTable', N'U') IS NULL
    CREATE TABLE OrleansRemindersTable (
        ServiceId       NVARCHAR(150) NOT NULL,
        GrainId         VARCHAR(150)  NOT NULL,
        ReminderName    NVARCHAR(150) NOT NULL,
        StartTime       DATETIME2(3)  NOT NULL,
        Period          BIGINT        NOT NULL,
        GrainHash       INT           NOT NULL,
        Version         INT           NOT NULL,
        CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
    );

-- Each silo reads the reminders of its hash range of the ring.
IF NOT EXISTS (SELECT 1 FROM sys.indexes
                WHERE name = N'IX_OrleansRemindersTable_GrainHash' AND object_id = OBJECT_ID(N'OrleansRemindersTable'))
    CREATE INDEX IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);
GO

-- The queries. Reads return GrainId, ReminderName, StartTime, Period, Version.
SET XACT_ABORT ON;
BEGIN TRANSACTION;

DELETE FROM OrleansQuery
 WHERE QueryKey IN ('ReadReminderRowsKey', 'ReadReminderRowKey', 'ReadRangeRows1Key', 'ReadRangeRows2Key',
                    'UpsertReminderRowKey', 'DeleteReminderRowKey', 'DeleteReminderRowsKey');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- (ServiceId, GrainId) -> the grain's reminders.
('ReadReminderRowsKey', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
'),

-- (ServiceId, GrainId, ReminderName) -> that reminder, if any.
('ReadReminderRowKey', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
'),

-- (ServiceId, BeginHash, EndHash) with BeginHash < EndHash: the range (BeginHash, EndHash].
('ReadRangeRows1Key', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
'),

-- (ServiceId, BeginHash, EndHash) otherwise: the range wraps around the ring.
('ReadRangeRows2Key', N'
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
'),

-- (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash) -> the new Version.
('UpsertReminderRowKey', N'
SET XACT_ABORT, NOCOUNT ON;
BEGIN TRANSACTION;
UPDATE OrleansRemindersTable WITH (UPDLOCK, SERIALIZABLE)
   SET StartTime = @StartTime, Period = @Period, GrainHash = @GrainHash, Version = Version + 1
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
IF @@ROWCOUNT = 0
    INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0);
SELECT Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
COMMIT TRANSACTION;
'),

-- (ServiceId, GrainId, ReminderName, Version) -> 1 when the reminder had that Version and is gone.
('DeleteReminderRowKey', N'
SET NOCOUNT ON;
DELETE FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version;
SELECT CONVERT(BIT, @@ROWCOUNT);
'),

-- (ServiceId): every reminder of the service (Orleans' tests use it).
('DeleteReminderRowsKey', N'
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
');

COMMIT TRANSACTION;
GO
