-- Reminders written before the service id was configurable (Orleans:ServiceId, default
-- 'procurement') carry Orleans' former default 'default'; move them so the running silos see them.
UPDATE orleans_reminders SET service_id = 'procurement' WHERE service_id = 'default';
