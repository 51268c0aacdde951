-- Reminders (Microsoft.Orleans.Reminders.AdoNet 10.x), partitioned by Orleans' ServiceId.
-- GrainHash is the grain's uniform hash as a signed INTEGER (the provider sends the unsigned hash
-- reinterpreted as int, and so compares ranges in signed order). Period is in milliseconds.
-- Version is the row's ETag: 0 when created, one more at each update; a removal must name it.
CREATE TABLE IF NOT EXISTS OrleansRemindersTable (
    ServiceId       VARCHAR(150) NOT NULL,
    GrainId         VARCHAR(150) NOT NULL,
    ReminderName    VARCHAR(150) NOT NULL,
    StartTime       TIMESTAMPTZ  NOT NULL,
    Period          BIGINT       NOT NULL,
    GrainHash       INTEGER      NOT NULL,
    Version         INTEGER      NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Each silo reads the reminders of its hash range of the ring.
CREATE INDEX IF NOT EXISTS IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

-- The queries. Reads return GrainId, ReminderName, StartTime, Period, Version.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- (ServiceId, GrainId) -> the grain's reminders.
('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId
$q$),

-- (ServiceId, GrainId, ReminderName) -> that reminder, if any.
('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
$q$),

-- (ServiceId, BeginHash, EndHash) with BeginHash < EndHash: the range (BeginHash, EndHash].
('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash
$q$),

-- (ServiceId, BeginHash, EndHash) otherwise: the range wraps around the ring.
('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash)
$q$),

-- (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash) -> the new Version.
('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
   SET StartTime = excluded.StartTime, Period = excluded.Period, GrainHash = excluded.GrainHash,
       Version = r.Version + 1
RETURNING Version
$q$),

-- (ServiceId, GrainId, ReminderName, Version) -> true when the reminder had that Version and is gone.
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
 RETURNING 1)
SELECT EXISTS (SELECT 1 FROM removed)
$q$),

-- (ServiceId): every reminder of the service (Orleans' tests use it).
('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId
$q$)

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
