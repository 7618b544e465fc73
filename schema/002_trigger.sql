-- Which trigger took the samples behind a charge: 0 a timer tick, 1 a
-- page-fault counter overflow (memory grew). A stack can have one row of each
-- per interval.
ALTER TABLE charges ADD COLUMN via INTEGER NOT NULL DEFAULT 0;
